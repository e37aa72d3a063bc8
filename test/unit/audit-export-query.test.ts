import { describe, expect, it } from 'vitest';
import { AuditExportQuery } from '@vj/shared';

// The console checks an export range with the server's schema and shows its message: Chinese, saying what is wrong.
const message = (from: string, to: string) => {
  const r = AuditExportQuery.safeParse({ from, to });
  return r.success ? 'ok' : r.error.issues[0]!.message;
};

describe('audit export range', () => {
  it('takes a range of days up to a year, both ends included', () => {
    expect(message('2026-12-01', '2026-12-01')).toBe('ok');
    expect(message('2026-01-01', '2026-12-31')).toBe('ok');
  });
  it('says in Chinese what is wrong with a bad range', () => {
    expect(message('2026-12-02', '2026-12-01')).toBe('开始日期不能晚于结束日期');
    expect(message('2024-01-01', '2026-12-01')).toBe('一次最多导出一年');
    expect(message('昨天', '2026-12-01')).toBe('日期格式应为 YYYY-MM-DD');
  });
});
