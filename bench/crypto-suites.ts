// The 国密 suite (SM4-CTR + HMAC-SM3, SM3 chains and digests) against the international one (AES-256-GCM,
// HMAC-SHA-256) in the same run, on what the county does with them all day:
//   1. sealing one recording segment as the recorder does (envelope, file digest, keyed chain link), CPU only;
//   2. the whole SegmentStore.add on PostgreSQL (seal, write the file, chain row in one transaction);
//   3. a petition submit through the service on PostgreSQL (identity envelope, PIN verifier, keyed audit row).
// The ratio is sm / intl. The recorder's need is 19 sessions × (a 4 s video and a 4 s audio segment) every 4 s;
// headroom is what one core seals against that need.
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger, withIdCardCheck } from '@vj/shared';
import { migrate, openPostgres, type Db } from '@vj/signaling';
import { loadRooms, seedDemoUsers, syncRooms } from '../signaling/src/db/seed.js';
import { PetitionService } from '../signaling/src/petitions/petition-service.js';
import { GENESIS, SegmentStore, chainLink } from '../signaling/src/recording/segment-store.js';
import { SEGMENT_SECONDS } from '../signaling/src/recording/ffmpeg-track.js';
import { MasterKeys, fileDigest, newDataKey, seal, type SuiteId } from '../signaling/src/security/crypto.js';
import type { Claims } from '../signaling/src/security/jwt.js';
import { IntegrityKeys } from '../signaling/src/security/system-keys.js';
import { createTestDatabase } from '../test/helpers/services.js';
import { percentile, printTable, type Row } from './stats.js';

const SESSIONS = 19;
/** A kiosk's camera at ~1 Mbit/s and its microphone at ~32 kbit/s, for one segment. */
const VIDEO_BYTES = (1_000_000 / 8) * SEGMENT_SECONDS;
const AUDIO_BYTES = (32_000 / 8) * SEGMENT_SECONDS;
const SEGMENTS_PER_S = (SESSIONS * 2) / SEGMENT_SECONDS;
const ROUNDS = Number(process.env['BENCH_CRYPTO_ROUNDS'] ?? 200);
const SUBMITS = Number(process.env['BENCH_CRYPTO_SUBMITS'] ?? 200);
const SUITES: SuiteId[] = ['intl', 'sm'];

/** Seal + digest + chain link of one video and one audio segment, as SegmentStore.add does, no I/O. */
function sealPair(suite: SuiteId, keys: IntegrityKeys, video: Buffer, audio: Buffer): number {
  const key = newDataKey();
  const t = performance.now();
  let prev: Buffer = GENESIS;
  for (const [i, plain] of [video, audio].entries()) {
    const sealed = seal(key, plain, { table: 'recording_segments', column: 'file', rowId: `r:t:${i}`, keyVersion: 1 }, suite);
    prev = chainLink(suite, keys, prev, { sha256: fileDigest(suite, sealed), seq: i + 1, trackId: 't', trackSeq: i, countyOnly: false });
  }
  return performance.now() - t;
}

/** Runs the suites alternately, round by round, so neither gets the quieter half of the run. */
async function alternate(rounds: number, one: (suite: SuiteId) => Promise<number>): Promise<Record<SuiteId, number[]>> {
  const out: Record<SuiteId, number[]> = { intl: [], sm: [] };
  for (let r = 0; r < rounds; r++) for (const s of r % 2 ? [...SUITES].reverse() : SUITES) out[s].push(await one(s));
  return out;
}

const petition = (i: number) => ({
  id: randomUUID(),
  sessionId: null,
  townshipCode: i % 2 ? 'xingsha' : 'langli',
  category: '工作作风' as const,
  narrative: '反映村干部办事拖拉、态度生硬,多次催办无果。'.repeat(4),
  accused: [{ name: '李某某', unit: '某村委会', position: '村主任', townshipCode: null, officialCode: null }],
  identity: { name: '王某', idCard: withIdCardCheck('43012119800101001'), phone: '13800000000', address: '某路 1 号', village: '某村' },
});

export async function runCryptoSuitesBench(): Promise<Row[]> {
  const rows: Row[] = [];
  const video = randomBytes(VIDEO_BYTES);
  const audio = randomBytes(AUDIO_BYTES);
  const keys = { intl: IntegrityKeys.ephemeral('intl'), sm: IntegrityKeys.ephemeral('sm') };

  // 1. CPU only. Warm both first (OpenSSL's SM4 and SM3 code paths, JIT).
  for (let i = 0; i < 20; i++) for (const s of SUITES) sealPair(s, keys[s], video, audio);
  const cpu = await alternate(ROUNDS, async (s) => sealPair(s, keys[s], video, audio));
  const perPair = (s: SuiteId) => percentile(cpu[s], 50);
  const mbps = (s: SuiteId) => (VIDEO_BYTES + AUDIO_BYTES) / 1e6 / (perPair(s) / 1000);
  const headroom = (ms: number) => 1000 / (ms / 2) / SEGMENTS_PER_S;
  rows.push(
    { metric: 'seal segment pair p50', ours: perPair('sm'), baseline: perPair('intl'), unit: 'ms' },
    { metric: 'seal throughput', ours: mbps('sm'), baseline: mbps('intl'), unit: 'MB/s' },
    { metric: 'recorder headroom, 1 core', ours: headroom(perPair('sm')), baseline: headroom(perPair('intl')), unit: 'x' },
  );

  // 2 and 3 on PostgreSQL.
  process.env['DATABASE_URL'] ??= 'postgres://postgres@127.0.0.1:5432/test';
  const t = await createTestDatabase(process.env['DATABASE_URL']);
  const log = createLogger('bench', 'warn');
  const db: Db = await openPostgres(t.url, log);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vj-bench-suites-'));
  try {
    await migrate(db, log);
    await syncRooms(db, loadRooms().rooms);
    await seedDemoUsers(db);
    const spec = MasterKeys.generateSpec(1);
    const master = { intl: MasterKeys.parse(spec, 'intl'), sm: MasterKeys.parse(spec, 'sm') };
    const stores = { intl: new SegmentStore(db, master.intl, path.join(dir, 'rec')), sm: new SegmentStore(db, master.sm, path.join(dir, 'rec')) };
    const recordingFor: Partial<Record<SuiteId, { id: string; track: string; seq: number }>> = {};
    const addOne = async (s: SuiteId): Promise<number> => {
      db.integrity = keys[s];
      let rec = recordingFor[s];
      if (!rec) {
        const sessionId = randomUUID();
        rec = recordingFor[s] = { id: randomUUID(), track: randomUUID(), seq: 0 };
        await db.query(
          `INSERT INTO reception_sessions (id, room_code, request_id, state, ended_at, end_reason) VALUES ($1, 'xingsha', $2, 'ended', now(), 'kiosk_hangup')`,
          [sessionId, randomUUID()],
        );
        await db.query(`INSERT INTO recordings (id, session_id, room_code, status, started_at) VALUES ($1, $2, 'xingsha', 'recording', now())`, [
          rec.id,
          sessionId,
        ]);
        await db.tx((q) => stores[s].createKey(q, rec!.id));
        await db.query(
          `INSERT INTO recording_tracks (id, recording_id, producer_id, kind, source, participant_role, started_at) VALUES ($1, $2, $3, 'video', 'camera', 'kiosk', now())`,
          [rec.track, rec.id, randomUUID()],
        );
      }
      const file = path.join(dir, `plain-${s}-${++rec.seq}.mkv`);
      fs.writeFileSync(file, video);
      const t0 = performance.now();
      await stores[s].add(rec.id, rec.track, rec.seq, file, SEGMENT_SECONDS * 1000, false);
      return performance.now() - t0;
    };
    for (let i = 0; i < 10; i++) for (const s of SUITES) await addOne(s);
    const add = await alternate(Math.max(40, ROUNDS / 4), addOne);
    const addP50 = (s: SuiteId) => percentile(add[s], 50);
    rows.push(
      { metric: 'SegmentStore.add p50 (video)', ours: addP50('sm'), baseline: addP50('intl'), unit: 'ms' },
      { metric: 'SegmentStore.add p95 (video)', ours: percentile(add.sm, 95), baseline: percentile(add.intl, 95), unit: 'ms' },
    );

    const officerId = (await db.query<{ id: string }>(`SELECT id FROM users WHERE username = 'officer1'`)).rows[0]!.id;
    const officer: Claims = { sub: officerId, role: 'county_officer', name: 'x', sid: randomUUID(), exp: 0, iat: 0, aud: 'vj:console', iss: 'vj-signaling' };
    const services = { intl: new PetitionService(db, master.intl), sm: new PetitionService(db, master.sm) };
    let n = 0;
    const submit = async (s: SuiteId) => {
      db.integrity = keys[s];
      const t0 = performance.now();
      await services[s].submit(officer, petition(n++));
      return performance.now() - t0;
    };
    for (let i = 0; i < 10; i++) for (const s of SUITES) await submit(s);
    const sub = await alternate(SUBMITS, submit);
    rows.push(
      { metric: 'petition submit p50', ours: percentile(sub.sm, 50), baseline: percentile(sub.intl, 50), unit: 'ms' },
      { metric: 'petition submit p95', ours: percentile(sub.sm, 95), baseline: percentile(sub.intl, 95), unit: 'ms' },
    );
  } finally {
    await db.close();
    await t.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  printTable(
    `crypto suites: 国密 (ours) against international (baseline), same run, alternating`,
    rows,
    `segment: ${VIDEO_BYTES / 1000} kB video + ${AUDIO_BYTES / 1000} kB audio (${SEGMENT_SECONDS} s at ~1 Mbit/s and 32 kbit/s); ` +
      `the recorder needs ${SEGMENTS_PER_S.toFixed(1)} segments/s for ${SESSIONS} sessions; headroom = segments one core seals per second / that need.\n` +
      `SegmentStore.add: the recorder's whole step on PostgreSQL (seal, file write, chain row); petition submit: the service, one at a time, no HTTP.`,
  );
  return rows;
}
