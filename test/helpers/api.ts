/** Small REST client for tests: returns status and parsed body without throwing on HTTP errors. */
export async function api<T = unknown>(
  base: string,
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; rawBody?: string } = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(opts.body !== undefined || opts.rawBody !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
    },
    body: opts.rawBody ?? (opts.body !== undefined ? JSON.stringify(opts.body) : undefined),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: body as T };
}

export async function loginToken(base: string, username: string, password: string): Promise<string> {
  const r = await api<{ accessToken: string }>(base, 'POST', '/api/auth/login', { body: { username, password } });
  if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status}`);
  return r.body.accessToken;
}
