// The registry's CSV reader: what spreadsheet exports really contain (quotes, commas and line breaks inside
// fields, a BOM, CRLF), and a file whose quote never closes, which must be refused with the line it opened on
// rather than read as one endless field.
import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, parseCsv, parseCsvYielding } from '../../signaling/src/registry/csv.js';

describe('parseCsv', () => {
  it('reads quoted commas, doubled quotes and line breaks, skips a BOM and blank lines, and numbers records by their first line', () => {
    const text = '\ufeff姓名,备注\r\n"欧阳,明","他说""好"""\r\n\r\n张三,"两\n行"\n李四,';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['姓名', '备注'] },
      { line: 2, fields: ['欧阳,明', '他说"好"'] },
      { line: 4, fields: ['张三', '两\n行'] },
      { line: 6, fields: ['李四', ''] },
    ]);
  });

  it('refuses a quote that never closes, naming the line it opened on', () => {
    const text = '姓名,备注\n张三,正常\n李四,"没有闭合的引号\n王五,被吞掉\n';
    expect(() => parseCsv(text)).toThrow(CsvSyntaxError);
    try {
      parseCsv(text);
    } catch (err) {
      expect((err as CsvSyntaxError).line).toBe(3);
    }
  });

  it('read in slices (as an upload is), gives the same records whatever the slice, and refuses the same unclosed quote', async () => {
    const text = '\ufeff姓名,备注\r\n"欧阳,明","他说""好"""\r\n\r\n张三,"两\n行"\n李四,';
    for (const slice of [1, 2, 3, 7, 1 << 16]) expect(await parseCsvYielding(text, slice), `slice ${slice}`).toEqual(parseCsv(text));
    await expect(parseCsvYielding('姓名\n"没有闭合\n王五\n', 2)).rejects.toMatchObject({ name: 'CsvSyntaxError', line: 2 });
  });

  it('lets the event loop run while it reads a large file', async () => {
    // 8 MB of rows: read in one go the timer below could not fire until the end.
    const text = '人员编码,姓名\n' + Array.from({ length: 400_000 }, (_, i) => `XJ-${i},张三${i}`).join('\n');
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    let ticksAtEnd = -1;
    const records = await parseCsvYielding(text).finally(() => (ticksAtEnd = ticks));
    clearInterval(timer);
    expect(records).toHaveLength(400_001);
    expect(ticksAtEnd).toBeGreaterThan(0);
  });
});
