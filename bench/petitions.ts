// Petition submission on real PostgreSQL: the full path (identity envelope encryption, PIN slow hash, audit
// chain append, one transaction) against a baseline of the same petition insert without encryption or audit.
import { randomUUID } from 'node:crypto';
import { createLogger, withIdCardCheck } from '@vj/shared';
import { migrate, openPostgres, type Db } from '@vj/signaling';
import { loadRooms, seedDemoUsers, syncRooms } from '../signaling/src/db/seed.js';
import { PetitionService } from '../signaling/src/petitions/petition-service.js';
import { MasterKeys } from '../signaling/src/security/crypto.js';
import { IntegrityKeys } from '../signaling/src/security/system-keys.js';
import type { Claims } from '../signaling/src/security/jwt.js';
import { createTestDatabase } from '../test/helpers/services.js';
import { percentile, printTable, type Row } from './stats.js';

const N = Number(process.env['BENCH_PETITIONS'] ?? 400);
const CONCURRENCY = 8;

async function timed(n: number, one: (i: number) => Promise<void>): Promise<{ perSec: number; p50: number; p99: number }> {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        const i = next++;
        const t = performance.now();
        await one(i);
        lat.push(performance.now() - t);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  return { perSec: n / secs, p50: percentile(lat, 50), p99: percentile(lat, 99) };
}

const body = (i: number) => ({
  id: randomUUID(),
  sessionId: null,
  townshipCode: i % 2 ? 'xingsha' : 'langli',
  category: '工作作风' as const,
  narrative: '反映村干部办事拖拉、态度生硬,多次催办无果。'.repeat(4),
  accused: [{ name: '李某某', unit: '某村委会', position: '村主任', townshipCode: 'xingsha', officialCode: null }],
  identity: { name: '王某', idCard: withIdCardCheck('43012119800101001'), phone: '13800000000', address: '某路 1 号', village: '某村' },
});

export async function runPetitionBench(): Promise<Row[]> {
  process.env['DATABASE_URL'] ??= 'postgres://postgres@127.0.0.1:5432/test';
  const t = await createTestDatabase(process.env['DATABASE_URL']);
  const log = createLogger('bench', 'warn');
  const db: Db = await openPostgres(t.url, log);
  try {
    await migrate(db, log);
    db.integrity = IntegrityKeys.ephemeral();
    await syncRooms(db, loadRooms().rooms);
    await seedDemoUsers(db);
    const officerId = (await db.query<{ id: string }>(`SELECT id FROM users WHERE username = 'officer1'`)).rows[0]!.id;
    const officer: Claims = { sub: officerId, role: 'county_officer', name: 'x', sid: randomUUID(), exp: 0, iat: 0, aud: 'vj:console', iss: 'vj-signaling' };
    const svc = new PetitionService(db, MasterKeys.parse(MasterKeys.generateSpec(1)));

    // Warm both paths (connections, plans) before measuring.
    for (let i = 0; i < 20; i++) await svc.submit(officer, body(i));

    const baseline = await timed(N, async (i) => {
      const b = body(i);
      await db.tx(async (q) => {
        await q.query(
          `INSERT INTO petitions (id, case_code, pin_hash, request_digest, township_code, category, narrative, anonymous, created_by)
           VALUES ($1, $2, 'none', 'none', $3, $4, $5, false, $6)`,
          [b.id, `9${String(i).padStart(9, '0')}`, b.townshipCode, b.category, b.narrative, officerId],
        );
        await q.query(`INSERT INTO petition_accused (id, petition_id, ord, name, unit, position) VALUES (gen_random_uuid(), $1, 0, $2, $3, $4)`, [
          b.id,
          '李某某',
          '某村委会',
          '村主任',
        ]);
      });
    });
    const ours = await timed(N, async (i) => void (await svc.submit(officer, body(i))));

    const rows: Row[] = [
      { metric: 'submit throughput', ours: ours.perSec, baseline: baseline.perSec, unit: '/s' },
      { metric: 'submit latency p50', ours: ours.p50, baseline: baseline.p50, unit: 'ms' },
      { metric: 'submit latency p99', ours: ours.p99, baseline: baseline.p99, unit: 'ms' },
    ];
    printTable(
      `petition submit on PostgreSQL, ${N} each, ${CONCURRENCY} concurrent`,
      rows,
      `ours: envelope encryption + keyed PIN verifier + keyed audit chain row, one transaction (the service, no HTTP);\n` +
        `baseline: the same petition and accused rows, plain. The open-loop REST figures are in the submit-rate benchmark.`,
    );
    return rows;
  } finally {
    await db.close();
    await t.drop();
  }
}
