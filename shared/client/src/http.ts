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
    throw noAnswerError();
  }
  const data = (await res.json().catch(() => undefined)) as unknown;
  if (res.ok) return data as T;
  throw errorFromAnswer(res.status, data);
}

/**
 * The error a failed answer means, with a Chinese text: the server's code and words when it sent them; else (a proxy's
 * HTML page, a body cut off) a code from the status alone, never "HTTP 502" on a screen.
 */
export function errorFromAnswer(status: number, body: unknown): AppError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const code = isErrorCode(error?.code)
    ? error.code
    : status === 413
      ? 'PAYLOAD_TOO_LARGE'
      : status === 429
        ? 'RATE_LIMITED'
        : status === 401
          ? 'UNAUTHENTICATED'
          : status === 403
            ? 'FORBIDDEN'
            : status >= 500
              ? 'UNAVAILABLE'
              : 'INTERNAL';
  return new AppError(code, userMessage(code, typeof error?.message === 'string' ? error.message : undefined));
}

/** The error a request that got no answer at all means (offline, the server down or unreachable). */
export function noAnswerError(): AppError {
  return new AppError('UNAVAILABLE', userMessage('UNAVAILABLE', undefined));
}
