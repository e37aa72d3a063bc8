// 受处分人员信息查询 at county scale on real PostgreSQL: the synthetic county (57,000 people, 600 units) with 20,000
// discipline records, written through the same store as demo mode, then the query screen's searches and the
// person page (each an audited transaction, as served), against a plain indexed lookup measured in the same run.
import { randomUUID } from 'node:crypto';
import { IntegrityKeys } from '@vj/signaling';
import { loadRooms, seedDemoUsers, syncRooms } from '../signaling/src/db/seed.js';
import { DisciplineQuery } from '../signaling/src/discipline/discipline-query.js';
import { nameKeys } from '../signaling/src/discipline/name-keys.js';
import { findPeople, searchCondition, type PeopleSearch } from '../signaling/src/discipline/people-search.js';
import { appendAudit } from '../signaling/src/audit/audit-log.js';
import { writeCounty } from '../signaling/src/discipline/demo-county.js';
import { generateCounty } from '../signaling/src/discipline/synthetic-county.js';
import type { Claims } from '../signaling/src/security/jwt.js';
import { withBenchDatabase } from './bench-database.js';
import { latenciesInterleaved, printTable, type Row } from './stats.js';

const PEOPLE = Number(process.env['BENCH_PEOPLE'] ?? 57_000);
const RECORDS = Number(process.env['BENCH_RECORDS'] ?? 20_000);
const LOOKUPS = 400;

export async function runDisciplineBench(): Promise<Row[]> {
  return withBenchDatabase(async (db) => {
    db.integrity = IntegrityKeys.ephemeral();
    const rooms = loadRooms().rooms;
    await syncRooms(db, rooms);
    await seedDemoUsers(db);
    const reviewer = (await db.query<{ id: string }>(`SELECT id FROM users WHERE username = 'reviewer1'`)).rows[0]!.id;
    const principal: Claims = { sub: reviewer, role: 'case_reviewer', name: 'x', sid: randomUUID(), exp: 0, iat: 0, aud: 'vj:console', iss: 'vj-signaling' };

    let t0 = performance.now();
    const county = generateCounty(rooms, { people: PEOPLE, records: RECORDS });
    const generateSecs = (performance.now() - t0) / 1000;
    t0 = performance.now();
    await writeCounty(db, county, () => {});
    const loadSecs = (performance.now() - t0) / 1000;
    await db.query('ANALYZE officials; ANALYZE discipline_records; ANALYZE org_units');

    const people = county.people;
    const disciplined = [...new Set(county.records.map((r) => r.officialCode))];
    const someone = (i: number) => people[(i * 7919) % people.length]!;
    const query = new DisciplineQuery(db);
    const ask = (by: PeopleSearch['by'], q: string): PeopleSearch => ({ by, q, disciplined: '0', limit: 50 });
    // A unit as a reviewer types it, its name (one unit: ~95 people on average, a school ~300, all sorted for the first 50).
    const units = county.units.map((u) => u.name);
    const kinds: [string, (i: number) => PeopleSearch][] = [
      ['name', (i) => ask('name', someone(i).name)],
      ['initials', (i) => ask('name', nameKeys(someone(i).name).initials)],
      ['full pinyin', (i) => ask('name', nameKeys(someone(i).name).pinyin.replace(/ /g, ''))],
      ['ID number', (i) => ask('id_card', someone(i).idCard!)],
      ['unit', (i) => ask('unit', units[i % units.length]!)],
    ];
    // Warm plans and caches.
    for (let i = 0; i < 50; i++) for (const [, k] of kinds) await query.search(principal, k(i));
    // Baselines: one indexed lookup of a person by name; and the same lookup in a transaction with its audit row,
    // as every served query is (the audit chain's append is the larger part of a served query's time). Each kind is
    // measured in turns with its baseline, lookup by lookup, so a busy moment of the machine falls on both alike.
    const plain = (i: number) => db.query('SELECT * FROM officials WHERE name = $1', [someone(i).name]);
    const auditedPlain = (i: number) =>
      db.tx(async (q) => {
        await q.query('SELECT * FROM officials WHERE name = $1', [someone(i).name]);
        await appendAudit(q, {
          actorId: reviewer,
          actorRole: 'case_reviewer',
          action: 'discipline.query',
          objectType: 'discipline_query',
          objectId: randomUUID(),
        });
      });
    const rows: Row[] = [];
    const baselines: string[] = [];
    for (const [label, k] of kinds) {
      const [base, statement] = await latenciesInterleaved(LOOKUPS, [
        plain,
        (i: number) => findPeople(db, searchCondition(db.integrity!, k(i)), k(i), undefined, '2026-12-01'),
      ]);
      rows.push({ metric: `${label}: statement p95`, ours: statement.p95, baseline: base.p95, unit: 'ms' });
      baselines.push(base.p95.toFixed(2));
    }
    for (const [label, k] of kinds) {
      const [base, served] = await latenciesInterleaved(LOOKUPS, [auditedPlain, (i: number) => query.search(principal, k(i))]);
      rows.push({ metric: `${label}: served p95`, ours: served.p95, baseline: base.p95, unit: 'ms' });
    }
    const [pageBase, page] = await latenciesInterleaved(LOOKUPS, [auditedPlain, (i: number) => query.person(principal, disciplined[i % disciplined.length]!)]);
    rows.push({ metric: 'person page: served p95', ours: page.p95, baseline: pageBase.p95, unit: 'ms' });
    printTable(
      `Discipline records: ${people.length} people in ${county.units.length} units, ${county.records.length} records, ${LOOKUPS} lookups each (PostgreSQL)`,
      rows,
      `generated in ${generateSecs.toFixed(1)} s, written (pinyin keys, sealed ID numbers) in ${loadSecs.toFixed(1)} s. "statement": the query's one SQL statement\n` +
        '(people, unit, 片区, records) against one indexed lookup of officials by name (goal p95 ≤ 3×); "served": the whole audited transaction the\n' +
        "route runs, against that lookup in a transaction with its audit row. Each row's baseline is measured in turns with it; the plain\n" +
        `lookup's p95 across the statement rows: ${baselines.join(', ')} ms.`,
    );
    return rows;
  });
}
