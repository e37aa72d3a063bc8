import { AppError, ERROR_MESSAGES } from '@vj/shared';

export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const MAX_ATTACHMENTS = 10;

// Declared types are checked against the file's first bytes: a renamed executable is not a photo.
const SIGNATURES: { mime: string; label: string; test: (b: Buffer) => boolean }[] = [
  { mime: 'image/jpeg', label: 'JPG 图片', test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { mime: 'image/png', label: 'PNG 图片', test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { mime: 'application/pdf', label: 'PDF 文件', test: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
  { mime: 'audio/mpeg', label: 'MP3 音频', test: (b) => b.subarray(0, 3).toString('latin1') === 'ID3' || (b[0] === 0xff && (b[1]! & 0xe0) === 0xe0) },
  { mime: 'video/mp4', label: 'MP4 视频', test: (b) => b.subarray(4, 8).toString('latin1') === 'ftyp' },
  { mime: 'audio/mp4', label: 'M4A 音频', test: (b) => b.subarray(4, 8).toString('latin1') === 'ftyp' },
];

export const ALLOWED_MIME = SIGNATURES.map((s) => s.mime);

export function checkAttachment(mime: string, data: Buffer): void {
  if (!Buffer.isBuffer(data) || data.length === 0) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.attachments.empty);
  if (data.length > MAX_ATTACHMENT_BYTES) throw new AppError('PAYLOAD_TOO_LARGE', ERROR_MESSAGES.attachments.tooLarge(MAX_ATTACHMENT_BYTES / 1024 / 1024));
  const sig = SIGNATURES.find((s) => s.mime === mime);
  if (!sig) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.attachments.typeNotAllowed([...new Set(SIGNATURES.map((s) => s.label))]));
  if (!sig.test(data)) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.attachments.typeMismatch);
}
