import { AppError } from '@vj/shared';

export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const MAX_ATTACHMENTS = 10;

// Declared types are checked against the file's first bytes: a renamed executable is not a photo.
const SIGNATURES: { mime: string; test: (b: Buffer) => boolean }[] = [
  { mime: 'image/jpeg', test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { mime: 'image/png', test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { mime: 'application/pdf', test: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
  { mime: 'audio/mpeg', test: (b) => b.subarray(0, 3).toString('latin1') === 'ID3' || (b[0] === 0xff && (b[1]! & 0xe0) === 0xe0) },
  { mime: 'video/mp4', test: (b) => b.subarray(4, 8).toString('latin1') === 'ftyp' },
  { mime: 'audio/mp4', test: (b) => b.subarray(4, 8).toString('latin1') === 'ftyp' },
];

export const ALLOWED_MIME = SIGNATURES.map((s) => s.mime);

export function checkAttachment(mime: string, data: Buffer): void {
  if (!Buffer.isBuffer(data) || data.length === 0) throw new AppError('BAD_REQUEST', 'empty attachment');
  if (data.length > MAX_ATTACHMENT_BYTES) throw new AppError('PAYLOAD_TOO_LARGE', 'attachment larger than 10 MB');
  const sig = SIGNATURES.find((s) => s.mime === mime);
  if (!sig) throw new AppError('BAD_REQUEST', `attachment type not allowed; allowed: ${ALLOWED_MIME.join(', ')}`);
  if (!sig.test(data)) throw new AppError('BAD_REQUEST', 'attachment content does not match its declared type');
}
