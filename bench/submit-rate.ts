// Petition submit at fixed arrival rates (open loop): 50, 100 and 200 submissions a second for a few seconds
// each, through the real server's REST API as the county console sends them (JWT, session check, zod, identity
// envelope encryption, keyed PIN verifier, keyed audit chain, one transaction). Each request's latency counts
// from the moment it was due, not from when the generator got round to it, so a server that falls behind shows
// its queue (no coordinated omission).
//
// Baseline, same run, same rate, same PostgreSQL: a plain insert of the same rows (petition, data key, identity
// ciphertext-sized blobs, accused, an audit-sized row in a scratch table) in one transaction over `pg`, with no
// HTTP, no crypto and no chain lock. A second reference is the HTTP floor: GET /api/health at the same rate.
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { withIdCardCheck } from '@vj/shared';
import { api } from '../test/helpers/api.js';
import { startTestServer } from '../test/helpers/server.js';
import { percentile, printTable, type Row } from './stats.js';

const RATES = (process.env['BENCH_SUBMIT_RATES'] ?? '50,100,200').split(',').map(Number);
const SECONDS = Number(process.env['BENCH_SUBMIT_SECONDS'] ?? 6);

interface Outcome {
  p50: number;
  p99: number;
  errors: number;
  n: number;
}

async function openLoop(rate: number, seconds: number, one: (i: number) => Promise<unknown>): Promise<Outcome> {
  const n = Math.round(rate * seconds);
  const lat: number[] = [];
  let errors = 0;
  const pending: Promise<void>[] = [];
  const t0 = performance.now() + 20;
  for (let i = 0; i < n; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0.5) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      one(i).then(
        () => void lat.push(performance.now() - due),
        () => void errors++,
      ),
    );
  }
  await Promise.all(pending);
  return { p50: percentile(lat, 50), p99: percentile(lat, 99), errors, n };
}

const body = (i: number) => ({
  id: randomUUID(),
  sessionId: null,
  townshipCode: i % 2 ? 'xingsha' : 'langli',
  category: '工作作风' as const,
  narrative: '反映村干部办事拖拉、态度生硬，多次催办无果。'.repeat(4),
  accused: [{ name: '李某某', unit: '某村委会', position: '村主任', townshipCode: null, officialCode: null }],
  identity: { name: '王某', idCard: withIdCardCheck('43012119800101001'), phone: '13800000000', address: '某路 1 号', village: '某村' },
});

export async function runSubmitRateBench(): Promise<Row[]> {
  process.env['DATABASE_URL'] ??= 'postgres://postgres@127.0.0.1:5432/test';
  // BENCH_CPU_PROF=<dir> writes the server's CPU profile there (node --cpu-prof), to see where a submit's time goes.
  const prof = process.env['BENCH_CPU_PROF'];
  const s = await startTestServer({ env: { RECORDING: 'off', LOG_LEVEL: 'warn' }, ...(prof ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${prof}`] } : {}) });
  const pool = new pg.Pool({ connectionString: s.databaseUrl, max: 10 });
  try {
    const login = await api<{ accessToken: string }>(s.url, 'POST', '/api/auth/login', { body: { username: 'officer1', password: 'officer1-demo' } });
    if (login.status !== 200) throw new Error(`login failed: ${login.status}`);
    const token = login.body.accessToken;
    const officerId = (await pool.query<{ id: string }>(`SELECT id FROM users WHERE username = 'officer1'`)).rows[0]!.id;
    await pool.query('CREATE TABLE IF NOT EXISTS bench_audit (LIKE audit_log INCLUDING DEFAULTS)');

    const submit = async (i: number) => {
      const r = await api(s.url, 'POST', '/api/petitions', { token, body: body(i) });
      if (r.status !== 200) throw new Error(String(r.status));
    };
    let seq = 0;
    const plain = async (i: number) => {
      const b = body(i);
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        await c.query(
          `INSERT INTO petitions (id, case_code, pin_hash, request_digest, township_code, category, narrative, anonymous, created_by, identity_mac)
           VALUES ($1, $2, $3, $4, $5, $6, $7, false, $8, $9)`,
          [b.id, `9${randomBytes(5).readUIntBE(0, 5).toString().padStart(9, '0').slice(0, 9)}`, randomBytes(44).toString('base64'), randomBytes(32).toString('hex'), b.townshipCode, b.category, b.narrative, officerId, randomBytes(32).toString('base64')],
        );
        await c.query('INSERT INTO data_keys (owner_id, wrapped, kek_version) VALUES ($1, $2, 1)', [b.id, randomBytes(61)]);
        await c.query('INSERT INTO petition_identity (petition_id, name_ct, id_card_ct, phone_ct, address_ct, village_ct) VALUES ($1, $2, $3, $4, $5, $6)', [
          b.id, randomBytes(35), randomBytes(47), randomBytes(40), randomBytes(42), randomBytes(35),
        ]);
        await c.query(`INSERT INTO petition_accused (id, petition_id, ord, name, unit, position) VALUES (gen_random_uuid(), $1, 0, $2, $3, $4)`, [b.id, '李某某', '某村委会', '村主任']);
        await c.query(
          `INSERT INTO bench_audit (seq, at, actor_id, actor_role, action, object_type, object_id, township_code, details, prev_hash, hash) VALUES ($1, now(), $2, 'county_officer', 'petition.create', 'petition', $3, $4, '{}', $5, $6)`,
          [++seq, officerId, b.id, b.townshipCode, randomBytes(32), randomBytes(32)],
        );
        await c.query('COMMIT');
      } finally {
        c.release();
      }
    };
    const health = async () => {
      const r = await fetch(`${s.url}/api/health`);
      await r.arrayBuffer();
    };

    // Warm the server, the pool and the plans before anything is measured.
    for (let i = 0; i < 40; i++) await submit(i);
    for (let i = 0; i < 40; i++) await plain(i);

    // The server's own CPU time (user + system, from /proc), per submit: what a rate costs the one Node process.
    const serverCpuMs = () => {
      const f = fs.readFileSync(`/proc/${s.proc.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // clock ticks at USER_HZ = 100
    };
    const rows: Row[] = [];
    const lines: string[] = [];
    for (const rate of RATES) {
      const cpu0 = serverCpuMs();
      const ours = await openLoop(rate, SECONDS, submit);
      const cpuPer = (serverCpuMs() - cpu0) / ours.n;
      const base = await openLoop(rate, SECONDS, plain);
      const floor = await openLoop(rate, SECONDS, health);
      rows.push({ metric: `submit p50 @${rate}/s`, ours: ours.p50, baseline: base.p50, unit: 'ms' });
      rows.push({ metric: `submit p99 @${rate}/s`, ours: ours.p99, baseline: base.p99, unit: 'ms' });
      lines.push(`@${rate}/s: ${ours.n} submits, ${ours.errors} failed, server CPU ${cpuPer.toFixed(2)} ms per submit; plain insert ${base.errors} failed; HTTP floor (GET /api/health) p50 ${floor.p50.toFixed(1)} ms, p99 ${floor.p99.toFixed(1)} ms`);
    }
    const at200 = rows.find((r) => r.metric === 'submit p99 @200/s');
    printTable(
      `petition submit, open loop over REST, ${SECONDS} s per rate`,
      rows,
      `ours: POST /api/petitions to the real server (auth, validation, encryption, keyed PIN verifier and audit chain);\n` +
        `baseline: the same rows inserted plainly over pg at the same rate. ${lines.join('\n')}\n` +
        (at200 ? `goal at 200/s: p99 <= 50 ms (${at200.ours.toFixed(1)} ms) and <= 1.5x the plain insert (${(at200.ours / at200.baseline).toFixed(2)}x)` : ''),
    );
    return rows;
  } finally {
    await pool.end();
    await s.stop();
  }
}
