import type { Request } from 'express';

/** The uploaded file's name from X-Filename (URI-encoded so any Chinese name survives the header). */
export function uploadFilename(req: Request): string {
  const raw = req.get('x-filename') ?? 'attachment';
  let filename: string;
  try {
    filename = decodeURIComponent(raw);
  } catch {
    filename = 'attachment';
  }
  // Cut by characters, not UTF-16 units: a cut through a surrogate pair would be stored as U+FFFD.
  return (
    Array.from(filename.replace(/[\\/\0]/g, '_'))
      .slice(0, 200)
      .join('') || 'attachment'
  );
}
