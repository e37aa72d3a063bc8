/** A deadline's day as the county reads it: China time, whatever the browser's time zone. */
export const chinaDay = (iso: string | null): string => (iso ? new Date(iso).toLocaleDateString('zh-CN', { timeZone: 'Asia/Shanghai' }) : '—');

const KINDS: [RegExp, string][] = [
  [/^image\//, '图片'],
  [/^application\/pdf$/, 'PDF 文件'],
  [/^audio\//, '录音'],
  [/^video\//, '视频'],
];

/** An evidence file as a reader names it: "证据 2（图片，12 KB）", never its MIME type. */
export function evidenceLabel(index: number, mime: string, sizeBytes: number, filename?: string | null): string {
  const kind = KINDS.find(([re]) => re.test(mime))?.[1] ?? '文件';
  const size = sizeBytes >= 1e6 ? `${(sizeBytes / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(sizeBytes / 1024))} KB`;
  return filename ? `${filename}（${kind}，${size}）` : `证据 ${index + 1}（${kind}，${size}）`;
}
