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
  return filename.replace(/[\\/\0]/g, '_').slice(0, 200) || 'attachment';
}
