/** A deadline's day as the county reads it: China time, whatever the browser's time zone. */
export const chinaDay = (iso: string | null): string => (iso ? new Date(iso).toLocaleDateString('zh-CN', { timeZone: 'Asia/Shanghai' }) : '—');
