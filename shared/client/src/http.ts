import { AppError, isErrorCode, userMessage } from '@vj/shared';

/** fetch for the JSON API: resolves with the body, or rejects with the server's stable error code. */
export async function apiRequest<T>(method: 'GET' | 'POST' | 'PUT', path: string, opts: { body?: unknown; token?: string } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: {
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      },
      body: opts.body !== undefined ? JSON.stringify(opts.body) : null,
    });
  } catch {
    throw new AppError('UNAVAILABLE', userMessage('UNAVAILABLE', undefined));
  }
  const data = (await res.json().catch(() => undefined)) as { error?: { code?: unknown; message?: string } } | undefined;
  if (res.ok) return data as T;
  const code = isErrorCode(data?.error?.code) ? data.error.code : res.status >= 500 ? 'UNAVAILABLE' : 'INTERNAL';
  throw new AppError(code, userMessage(code, data?.error?.message));
}
