// Registry files as counties have them: a GBK export from a spreadsheet on Chinese Windows imports as it is, and
// a malformed or undecodable file is refused with a Chinese reason before anything is written.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@vj/shared';
import { saveProgress } from '../../signaling/src/registry/import-progress.js';
import { RegistryImporter, STALE_IMPORT_S } from '../../signaling/src/registry/importer.js';
import { backends, withIntake } from '../helpers/backends.js';

// '人员编码,姓名,单位编码,单位名称,职务,乡镇' and two officials (one name with a comma, one position with quotes), CRLF, in GBK.
const GBK_OFFICIALS = Buffer.from(
  'yMvUsbHgwuss0NXD+yy1pc67seDC6yy1pc67w/uzxizWsM7xLM/n1fINCkdCLTkwMDAwMSyzwrjJysIsVS0xLNDHybO91rXAsOwsvM287LjJysIseGluZ3NoYQ0KR0ItOTAwMDAyLCLFt9H0LMP3IixVLTEs0MfJs73WtcCw7Cwi1vfIziIivOYiIsrpvMciLHhpbmdzaGENCg==',
  'base64',
);

describe.each(backends)('registry CSV files on $name', (backend) => {
  const t = {} as Awaited<ReturnType<typeof withIntake>>;
  let importer: RegistryImporter;
  beforeAll(async () => {
    Object.assign(t, await withIntake(backend));
    importer = new RegistryImporter(t.db, new Map([['xingsha', 'xingsha']]), createLogger('test', 'error'));
  });
  afterAll(async () => t.cleanup?.());

  const officials = async () =>
    (await t.db.query<{ code: string; name: string; position: string }>(`SELECT code, name, position FROM officials WHERE code LIKE 'GB-9%' ORDER BY code`))
      .rows;

  it('imports a GBK (GB18030) file as a UTF-8 one', async () => {
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(GBK_OFFICIALS)).toThrow(); // really not UTF-8
    const { view, done } = await importer.start(t.officer, 'officials', GBK_OFFICIALS);
    await done;
    expect((await importer.view(view.id)).status).toBe('done');
    expect(await officials()).toEqual([
      { code: 'GB-900001', name: '陈干事', position: '纪检干事' },
      { code: 'GB-900002', name: '欧阳,明', position: '主任"兼"书记' },
    ]);
  });

  it('refuses a file whose quote never closes, saying which line, and writes nothing', async () => {
    const before = await t.db.query<{ n: string }>('SELECT count(*) AS n FROM registry_imports');
    const file = Buffer.from('人员编码,姓名\nGB-900003,张三\nGB-900004,"李四\nGB-900005,王五\n');
    await expect(importer.start(t.officer, 'officials', file)).rejects.toMatchObject({ code: 'BAD_REQUEST', message: 'CSV 格式有误：第 3 行的引号没有闭合。' });
    expect((await t.db.query<{ n: string }>('SELECT count(*) AS n FROM registry_imports')).rows[0]!.n).toBe(before.rows[0]!.n);
    expect((await officials()).map((o) => o.code)).not.toContain('GB-900003');
  });

  it('a cluster node starting marks only the imports nobody has advanced for a while; a single process, every running one', async () => {
    const live = randomUUID();
    const stale = randomUUID();
    const archive = randomUUID();
    for (const [id, kind, ago] of [
      [live, 'officials', 5],
      [stale, 'discipline', STALE_IMPORT_S + 60],
      [archive, 'archive_months', STALE_IMPORT_S + 60],
    ] as const) {
      await t.db.query(
        `INSERT INTO registry_imports (id, kind, status, total_rows, started_by, heartbeat_at) VALUES ($1, $2, 'running', 10, $3, now() - make_interval(secs => $4))`,
        [id, kind, t.officer.sub, ago],
      );
    }
    const statusOf = async (id: string) => (await t.db.query<{ status: string }>('SELECT status FROM registry_imports WHERE id = $1', [id])).rows[0]!.status;
    expect(await importer.recover(false)).toBe(2);
    expect([await statusOf(live), await statusOf(stale), await statusOf(archive)]).toEqual(['running', 'failed', 'failed']);
    expect((await importer.view(stale)).errors).toEqual([{ line: 0, message: expect.stringMatching(/中断/) }]);
    // The import taken as cut off cannot go on writing beside a new try: its next batch is refused.
    await expect(saveProgress(t.db, stale, { processed: 6, imported: 6, errors: 0 }, [])).rejects.toThrow(/no longer running/);
    // A batch of the live one advances it: still not stale.
    await saveProgress(t.db, live, { processed: 5, imported: 5, errors: 0 }, []);
    expect(await importer.recover(false)).toBe(0);
    expect(await importer.recover(true)).toBe(1);
    expect(await statusOf(live)).toBe('failed');
  });

  it('refuses bytes that are neither UTF-8 nor GB18030', async () => {
    await expect(importer.start(t.officer, 'officials', Buffer.from([0x80, 0xff, 0xfe, 0x00, 0x81]))).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: '无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV 文件。',
    });
  });
});
