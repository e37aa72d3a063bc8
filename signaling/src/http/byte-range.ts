import type { Request, Response } from 'express';

/**
 * The one byte range a `Range` header asks for (RFC 9110 §14.1.2), 'unsatisfiable' when it lies past the end,
 * or undefined to answer with the whole body: no header, a malformed one or several ranges (a server may
 * ignore Range; players ask for one range at a time).
 */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    // "-n": the last n bytes.
    const n = Number(m[2]);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

/** Serves bytes held in memory with byte ranges, so a player can seek in something that never touched a disk. */
export function sendRange(req: Request, res: Response, data: Buffer, contentType: string): void {
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Type', contentType);
  const range = parseRange(req.headers.range, data.length);
  if (range === 'unsatisfiable') {
    res.status(416).setHeader('Content-Range', `bytes */${data.length}`);
    res.end();
    return;
  }
  if (range) {
    res.status(206).setHeader('Content-Range', `bytes ${range.start}-${range.end}/${data.length}`);
    res.setHeader('Content-Length', String(range.end - range.start + 1));
    res.end(data.subarray(range.start, range.end + 1));
    return;
  }
  res.status(200).setHeader('Content-Length', String(data.length));
  res.end(data);
}
