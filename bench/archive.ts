// 清廉档案 at county scale on real PostgreSQL (issue 17): the synthetic county (57,000 people, 600 units, ~900 key
// officials) with a year of sealed months, 20,000 discipline records and 3,000 accusations naming people, then what
// the commission runs in bulk, each as served (the service's audited transactions, no HTTP):
//   - 政治生态报告 for every unit, on screen and as PDF, against one audited read of the unit's people;
//   - 廉政意见回复 for a list of 100 candidates, against one audited read of those candidates' records;
//   - the monthly import of 900 key officials × 6 dimensions (four 片区 files), against the same months written by
//     one bulk statement (sealed, no checks, warnings or audit).
import { randomUUID } from 'node:crypto';
import { IntegrityKeys } from '@vj/signaling';
import { appendAudit } from '../signaling/src/audit/audit-log.js';
import { loadRooms, seedDemoUsers, syncRooms } from '../signaling/src/db/seed.js';
import { ArchiveImporter } from '../signaling/src/discipline/archive-import.js';
import { writeCounty } from '../signaling/src/discipline/demo-county.js';
import { IntegrityArchive } from '../signaling/src/discipline/integrity-archive.js';
import { IntegrityOpinions } from '../signaling/src/discipline/integrity-opinions.js';
import { recordRowsOf } from '../signaling/src/discipline/people-search.js';
import { personalDataKeys } from '../signaling/src/discipline/person-data.js';
import { reportPdf } from '../signaling/src/discipline/report-pdf.js';
import { generateCounty } from '../signaling/src/discipline/synthetic-county.js';
import { demoMonths, writeMonths } from '../signaling/src/discipline/synthetic-months.js';
import { UnitReports } from '../signaling/src/discipline/unit-reports.js';
import { RegistryImporter } from '../signaling/src/registry/importer.js';
import type { Claims } from '../signaling/src/security/jwt.js';
import { benchLog, withBenchDatabase } from './bench-database.js';
import { printTable, type Row } from './stats.js';

const PEOPLE = Number(process.env['BENCH_PEOPLE'] ?? 57_000);
const RECORDS = Number(process.env['BENCH_RECORDS'] ?? 20_000);
const ACCUSATIONS = 3_000;

const claims = (sub: string, role: Claims['role']): Claims => ({
  sub,
  role,
  name: 'x',
  sid: randomUUID(),
  exp: 0,
  iat: 0,
  aud: 'vj:console',
  iss: 'vj-signaling',
});
const seconds = async (run: () => Promise<unknown>) => {
  const t = performance.now();
  await run();
  return (performance.now() - t) / 1000;
};

export async function runArchiveBench(): Promise<Row[]> {
  return withBenchDatabase(async (db) => {
    db.integrity = IntegrityKeys.ephemeral();
    const rooms = loadRooms().rooms;
    await syncRooms(db, rooms);
    await seedDemoUsers(db);
    const users = new Map((await db.query<{ id: string; username: string }>('SELECT id, username FROM users')).rows.map((u) => [u.username, u.id]));
    const user = (name: string) => users.get(name)!;

    const county = generateCounty(rooms, { people: PEOPLE, records: RECORDS });
    const keys = personalDataKeys(db);
    const t0 = performance.now();
    await writeCounty(db, county, () => {});
    const team = new Map([
      ['d1', { enteredBy: user('district1-inspector'), signedBy: user('district1-leader') }],
      ['d2', { enteredBy: user('district2-inspector'), signedBy: null }],
      ['d3', { enteredBy: user('district3-inspector'), signedBy: null }],
      ['d4', { enteredBy: user('district4-inspector'), signedBy: null }],
    ]);
    const plans = demoMonths(county);
    for (let i = 0; i < plans.length; i += 2000) await db.tx((q) => writeMonths(q, keys, plans.slice(i, i + 2000), team));
    // Accusations naming people, as intake links them (a third by name only, unlinked), a half still open.
    const officer = user('officer1');
    for (let i = 0; i < ACCUSATIONS; i += 500) {
      await db.tx(async (q) => {
        for (let j = i; j < Math.min(i + 500, ACCUSATIONS); j++) {
          const who = county.people[(j * 104_729) % county.people.length]!;
          const id = randomUUID();
          await q.query(
            `INSERT INTO petitions (id, case_code, pin_hash, request_digest, township_code, category, narrative, anonymous, created_by, status)
             VALUES ($1, $2, 'none', 'none', $3, '工作作风', '基准测试', true, $4, $5)`,
            [id, `8${String(j).padStart(9, '0')}`, who.townshipCode ?? 'xingsha', officer, j % 2 ? 'closed' : 'received'],
          );
          await q.query(
            `INSERT INTO petition_accused (id, petition_id, ord, name, unit, position, official_code) VALUES (gen_random_uuid(), $1, 0, $2, '', '', $3)`,
            [id, who.name, j % 3 ? who.code : null],
          );
        }
      });
    }
    await db.query('ANALYZE');
    const loadSecs = (performance.now() - t0) / 1000;

    // 政治生态报告: every unit, as the 党风政风监督室 reads them; then each as a PDF.
    const conduct = claims(user('conduct1'), 'conduct_office');
    const reports = new UnitReports(db);
    const units = county.units.map((u) => u.code);
    for (const u of units.slice(0, 20)) await reports.report(conduct, u, 'screen');
    const plainUnits = await seconds(async () => {
      for (const u of units)
        await db.tx(async (q) => {
          await q.query('SELECT * FROM officials WHERE unit_code = $1', [u]);
          await appendAudit(q, { actorId: conduct.sub, actorRole: conduct.role, action: 'archive.unit_report', objectType: 'org_unit', objectId: u });
        });
    });
    const onScreen = await seconds(async () => {
      for (const u of units) await reports.report(conduct, u, 'screen');
    });
    const asPdf = await seconds(async () => {
      for (const u of units) await reportPdf(await reports.report(conduct, u, 'pdf'));
    });

    // 廉政意见回复: 100 candidates, half of them key officials, a fifth with a record.
    const opinions = new IntegrityOpinions(db);
    const disciplined = [...new Set(county.records.map((r) => r.officialCode))];
    const keyPeople = county.people.filter((p) => p.keyOfficial);
    const list = (n: number) => [
      ...new Set([
        ...keyPeople.slice(n * 50, n * 50 + 50).map((p) => p.code),
        ...disciplined.slice(n * 20, n * 20 + 20),
        ...county.people.slice(n * 30 + 1000, n * 30 + 1030).map((p) => p.code),
      ]),
    ];
    const request = (codes: string[]) => ({
      id: randomUUID(),
      purpose: 'promotion' as const,
      requester: '县委组织部',
      docNumber: `组函〔2026〕${codes.length}号`,
      receivedOn: '2026-12-01',
      codes,
    });
    await opinions.create(conduct, request(list(0)));
    const rounds = 5;
    const candidates = list(1).length;
    let opinionSecs = 0;
    let plainSecs = 0;
    for (let n = 1; n <= rounds; n++) {
      const codes = list(n);
      plainSecs += await seconds(() =>
        db.tx(async (q) => {
          await recordRowsOf(q, codes);
          await appendAudit(q, {
            actorId: conduct.sub,
            actorRole: conduct.role,
            action: 'opinion.request',
            objectType: 'opinion_request',
            objectId: randomUUID(),
          });
        }),
      );
      opinionSecs += await seconds(() => opinions.create(conduct, request(codes)));
    }

    // The monthly import: this month for every key official, one file per 片区, as each team would upload it.
    const archive = new IntegrityArchive(db);
    const importer = new ArchiveImporter(db, archive, new RegistryImporter(db, new Map(), benchLog), benchLog);
    const month = new Date().toISOString().slice(0, 7);
    const header =
      '人员编码,月份,房产等财产情况,车辆情况,子女及其配偶从业情况,管党治党,工作履职,精神状态,廉洁自律,巡察审计问题,廉政鉴定,正在整改问题数,超期问题数';
    const latest = new Map(plans.map((p) => [p.code, p]));
    const districtOf = new Map(county.units.map((u) => [u.code, u.districtCode]));
    const files = new Map<string, string[]>();
    for (const p of keyPeople) {
      const last = latest.get(p.code)!;
      const d = last.dims;
      const cells = [
        p.code,
        month,
        d.property,
        d.vehicles,
        d.family,
        d.partyGovernance,
        d.duty,
        d.spirit,
        d.integrity,
        d.findings,
        '良好',
        String(last.findingsOpen),
        '0',
      ];
      const district = districtOf.get(p.unitCode)!;
      files.set(district, [...(files.get(district) ?? [header]), cells.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')]);
    }
    const inspectors: Record<string, string> = { d1: 'district1-inspector', d2: 'district2-inspector', d3: 'district3-inspector', d4: 'district4-inspector' };
    let imported = 0;
    const importSecs = await seconds(async () => {
      for (const [d, lines] of files) {
        const started = await importer.start(claims(user(inspectors[d]!), 'district_inspector'), Buffer.from(lines.join('\n')));
        await started.done;
        imported += (await importer.view(claims(user(inspectors[d]!), 'district_inspector'), started.view.id)).importedRows;
      }
    });
    // Baseline: the same months written as one bulk statement per 2,000, sealed (next month, so nothing conflicts).
    const next = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 1)).toISOString().slice(0, 7);
    const bulk = keyPeople.map((p) => ({ ...latest.get(p.code)!, month: next, warnings: [] }));
    const bulkSecs = await seconds(async () => {
      for (let i = 0; i < bulk.length; i += 2000) await db.tx((q) => writeMonths(q, keys, bulk.slice(i, i + 2000), team));
    });

    const rows: Row[] = [
      { metric: `报告 ${units.length} 单位: 屏幕`, ours: onScreen, baseline: plainUnits, unit: 's' },
      { metric: `报告 ${units.length} 单位: PDF`, ours: asPdf, baseline: plainUnits, unit: 's' },
      { metric: '报告: 每单位 (屏幕)', ours: (onScreen / units.length) * 1000, baseline: (plainUnits / units.length) * 1000, unit: 'ms' },
      { metric: '报告: 每单位 (PDF)', ours: (asPdf / units.length) * 1000, baseline: (plainUnits / units.length) * 1000, unit: 'ms' },
      { metric: `意见 ${candidates} 人: 每批`, ours: (opinionSecs / rounds) * 1000, baseline: (plainSecs / rounds) * 1000, unit: 'ms' },
      { metric: '意见: 每人', ours: (opinionSecs / rounds / candidates) * 1000, baseline: (plainSecs / rounds / candidates) * 1000, unit: 'ms' },
      { metric: `月度导入 ${imported}×6 维`, ours: importSecs, baseline: bulkSecs, unit: 's' },
      { metric: '月度导入: 每行', ours: (importSecs / Math.max(1, imported)) * 1000, baseline: (bulkSecs / bulk.length) * 1000, unit: 'ms' },
    ];
    printTable(
      `清廉档案: ${county.people.length} people, ${units.length} units, ${keyPeople.length} key officials with ${plans.length} months, ${county.records.length} records, ${ACCUSATIONS} accusations (PostgreSQL)`,
      rows,
      `loaded in ${loadSecs.toFixed(1)} s. Reports: every unit's report as served (audited transaction; PDF adds the rendering) against one audited\n` +
        `read of the unit's people. Opinions: a request of ${candidates} candidates drafted as served (records, accusations, warnings, latest\n` +
        `sealed month, sealed drafts, audit), ${rounds} rounds, against one audited read of the candidates' records. Import: four 片区 files of\n` +
        `this month as served (per row: scope, 回避, seal, warnings, audit; batches of 100), against the same months sealed and written in bulk.`,
    );
    if (imported !== keyPeople.length) throw new Error(`monthly import wrote ${imported} of ${keyPeople.length} rows`);
    return rows;
  });
}
