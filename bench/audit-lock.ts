// What the audit chain's one lock costs case actions (issue 18, point 7), on real PostgreSQL. A case action is
// modelled as the product's are: a transaction that locks its matter's row, changes it and appends its audit row
// last (appendAudit, which holds the chain lock until commit). The baseline is the same transaction with the same
// row inserted into a plain table: no chain, no lock. Every action touches its own matter (64 of them, taken in
// turn), so the chain lock is the only thing the actions share. Closed loop at 1, 8 and 32 actions in flight.
import { IntegrityKeys, type Db } from '@vj/signaling';
import { appendAudit } from '../signaling/src/audit/audit-log.js';
import { loadRooms, seedDemoUsers, syncRooms } from '../signaling/src/db/seed.js';
import { withBenchDatabase } from './bench-database.js';
import { percentile, printTable, type Row } from './stats.js';

const ACTIONS = Number(process.env['BENCH_ACTIONS'] ?? 800);
const MATTERS = 64;
const LEVELS = [1, 8, 32];

interface Result {
  perSec: number;
  p50: number;
  p99: number;
}

async function closedLoop(inFlight: number, one: (i: number) => Promise<void>): Promise<Result> {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let i = next++; i < ACTIONS; i = next++) {
        const t = performance.now();
        await one(i);
        lat.push(performance.now() - t);
      }
    }),
  );
  return { perSec: ACTIONS / ((performance.now() - t0) / 1000), p50: percentile(lat, 50), p99: percentile(lat, 99) };
}

function action(db: Db, actorId: string, audit: 'chain' | 'plain') {
  return (i: number) =>
    db.tx(async (q) => {
      const id = i % MATTERS;
      await q.query('SELECT state FROM bench_matters WHERE id = $1 FOR UPDATE', [id]);
      await q.query('UPDATE bench_matters SET state = $2, steps = steps + 1 WHERE id = $1', [id, i % 2 ? 'handling' : 'reviewing']);
      const entry = {
        actorId,
        actorRole: 'county_officer' as const,
        action: 'case.accept' as const,
        objectType: 'petition',
        objectId: String(id),
        details: { step: i },
      };
      if (audit === 'chain') await appendAudit(q, entry);
      else
        await q.query('INSERT INTO bench_plain_audit (at, actor_id, action, object_type, object_id, details) VALUES (now(), $1, $2, $3, $4, $5)', [
          entry.actorId,
          entry.action,
          entry.objectType,
          entry.objectId,
          JSON.stringify(entry.details),
        ]);
    });
}

export async function runAuditLockBench(): Promise<Row[]> {
  return withBenchDatabase(async (db) => {
    db.integrity = IntegrityKeys.ephemeral();
    await db.query(`CREATE TABLE bench_matters (id int PRIMARY KEY, state text NOT NULL, steps int NOT NULL DEFAULT 0)`);
    await db.query(`INSERT INTO bench_matters (id, state) SELECT g, 'handling' FROM generate_series(0, ${MATTERS - 1}) g`);
    await db.query(
      `CREATE TABLE bench_plain_audit (seq bigserial PRIMARY KEY, at timestamptz NOT NULL, actor_id text, action text NOT NULL, object_type text, object_id text, details jsonb NOT NULL)`,
    );
    await syncRooms(db, loadRooms().rooms);
    await seedDemoUsers(db);
    const actorId = (await db.query<{ id: string }>(`SELECT id FROM users WHERE username = 'officer1'`)).rows[0]!.id;
    // Warm both paths (plans, the pool's connections, the chain's head guess).
    await closedLoop(8, action(db, actorId, 'chain'));
    await closedLoop(8, action(db, actorId, 'plain'));
    const rows: Row[] = [];
    for (const n of LEVELS) {
      const chain = await closedLoop(n, action(db, actorId, 'chain'));
      const plain = await closedLoop(n, action(db, actorId, 'plain'));
      rows.push(
        { metric: `${n} in flight: actions/s`, ours: chain.perSec, baseline: plain.perSec, unit: '/s' },
        { metric: `${n} in flight: p50`, ours: chain.p50, baseline: plain.p50, unit: 'ms' },
        { metric: `${n} in flight: p99`, ours: chain.p99, baseline: plain.p99, unit: 'ms' },
      );
    }
    printTable(
      `Case actions and the audit chain's lock (${ACTIONS} actions per row, ${MATTERS} matters, PostgreSQL)`,
      rows,
      'ours: each action appends to the keyed chain under its one lock, held to commit; baseline: the same ' +
        'transaction inserting the same row into a plain table. A throughput ratio near 1 means the lock costs little.',
    );
    return rows;
  });
}
