// Issue 12, points 10–13 and 6: keyed audit and recording chains with checkpoints outside the database, loud
// identity erasure, keys that survive rotation and refuse the wrong key, and receipt look-ups without an
// existence oracle or a stranger's lock-out. Each attack here passed unnoticed before the chains were keyed.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withIdCardCheck, type Role } from '@vj/shared';
import { migrate, type Db } from '@vj/signaling';
import { appendAudit, canonicalRow, GENESIS } from '../../signaling/src/audit/audit-log.js';
import { AuditCheckpoints } from '../../signaling/src/audit/checkpoints.js';
import { verifyAuditChain } from '../../signaling/src/audit/verify.js';
import { LocalRateLimiter } from '../../signaling/src/http/rate-limit.js';
import { PetitionService } from '../../signaling/src/petitions/petition-service.js';
import { ReceiptLookup } from '../../signaling/src/petitions/receipts.js';
import { RetentionJob } from '../../signaling/src/recording/retention.js';
import { SegmentStore, legacyChainLink } from '../../signaling/src/recording/segment-store.js';
import { sealRecordingHead, verifyRecording } from '../../signaling/src/recording/verify.js';
import { MasterKeys, chainHash, keyedChainHash } from '../../signaling/src/security/crypto.js';
import { IntegrityAlarm } from '../../signaling/src/security/integrity-alarm.js';
import type { Claims } from '../../signaling/src/security/jwt.js';
import { rewrapDataKeys } from '../../signaling/src/security/rotate-keys.js';
import { IntegrityKeys, KeyCheckError, loadSystemKeys } from '../../signaling/src/security/system-keys.js';
import { backends, quietLog } from '../helpers/backends.js';
import { seededClaims } from '../helpers/claims.js';

const v1 = MasterKeys.generateSpec(1);
const v2 = MasterKeys.generateSpec(2);

describe.each(backends)('keyed integrity on $name', (backend) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let who: Record<'officer1', Claims>;
  let dataDir: string;
  const raised: string[] = [];
  let alarm: IntegrityAlarm;
  let svc: PetitionService;

  beforeAll(async () => {
    ({ db, cleanup } = await backend.open());
    await migrate(db, quietLog);
    db.integrity = (await loadSystemKeys(db, MasterKeys.parse(v1), quietLog)).keys;
    who = await seededClaims(db, ['officer1'] as const);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vj-integrity-'));
    alarm = new IntegrityAlarm(db, quietLog, (key) => raised.push(key));
    svc = new PetitionService(db, MasterKeys.parse(v1), { alarm });
  });
  afterAll(async () => {
    await cleanup?.();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const tamper = async (sql: string, params: unknown[] = []) => {
    await db.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
    try {
      await db.query(sql, params);
    } finally {
      await db.query('ALTER TABLE audit_log ENABLE TRIGGER USER');
    }
  };
  const petitionBody = (over: Record<string, unknown> = {}) => ({
    id: randomUUID(),
    sessionId: null,
    townshipCode: 'xingsha',
    category: '工作作风' as const,
    narrative: '村干部办事拖拉',
    accused: [],
    identity: { name: '王五', idCard: withIdCardCheck('43012119800101001'), phone: '13800000000', address: '某路 1 号', village: '某村' },
    ...over,
  });

  describe('audit chain (point 10)', () => {
    it('refuses a forged row appended with a correct plain hash, or with a MAC under another key', async () => {
      for (let i = 0; i < 5; i++) await db.tx((q) => appendAudit(q, { actorId: null, actorRole: null, action: 'auth.login_failed', details: { i } }));
      expect((await verifyAuditChain(db)).ok).toBe(true);
      const head = (await db.query<{ seq: string; hash: Buffer }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1')).rows[0]!;
      const seq = String(BigInt(head.seq) + 1n);
      const row = {
        seq,
        at: new Date(),
        actor_id: null,
        actor_role: null,
        action: 'identity.reveal',
        object_type: 'petition',
        object_id: randomUUID(),
        township_code: null,
        details: { reason: 'x' },
      };
      const insert = (hash: Buffer, suite: string) =>
        tamper(
          `INSERT INTO audit_log (seq, at, actor_id, actor_role, action, object_type, object_id, township_code, details, prev_hash, hash, suite) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
          [row.seq, row.at.toISOString(), null, null, row.action, row.object_type, row.object_id, null, JSON.stringify(row.details), head.hash, hash, suite],
        );
      // The review's attack: SHA-256(prev || row), exactly what the unkeyed chain used to accept.
      await insert(chainHash(head.hash, canonicalRow(row)), 'legacy');
      expect((await verifyAuditChain(db)).firstBroken).toEqual({ seq, problem: 'unkeyed row' });
      await tamper('DELETE FROM audit_log WHERE seq = $1', [seq]);
      await insert(keyedChainHash('intl', randomBytes(32), head.hash, canonicalRow(row)), 'intl');
      expect((await verifyAuditChain(db)).firstBroken).toEqual({ seq, problem: 'edited row' });
      await tamper('DELETE FROM audit_log WHERE seq = $1', [seq]);
      expect((await verifyAuditChain(db)).ok).toBe(true);
    });

    it('catches rows cut from the end against signed checkpoints kept outside the database, and forged checkpoint lines', async () => {
      const cps = new AuditCheckpoints(dataDir, db.integrity!, quietLog);
      const first = await cps.verify(db);
      expect(first.ok).toBe(true);
      cps.write(first.head!);
      await db.tx((q) => appendAudit(q, { actorId: null, actorRole: null, action: 'auth.login_failed', details: { tail: 1 } }));
      const head = (await cps.verify(db)).head!;
      cps.write(head);
      expect(fs.statSync(cps.file).mode & 0o077).toBe(0);
      const snapshot = (await db.query('SELECT * FROM audit_log WHERE seq = $1', [head.seq])).rows[0]!;
      await tamper('DELETE FROM audit_log WHERE seq = $1', [head.seq]);
      expect((await verifyAuditChain(db)).ok).toBe(true); // without the checkpoints the shorter chain looks whole
      expect(await cps.verify(db)).toMatchObject({ ok: false, firstBroken: { seq: head.seq, problem: 'missing row' } });
      await tamper(
        `INSERT INTO audit_log (seq, at, actor_id, actor_role, action, object_type, object_id, township_code, details, prev_hash, hash, suite) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
        [
          snapshot.seq,
          snapshot.at,
          snapshot.actor_id,
          snapshot.actor_role,
          snapshot.action,
          snapshot.object_type,
          snapshot.object_id,
          snapshot.township_code,
          JSON.stringify(snapshot.details),
          snapshot.prev_hash,
          snapshot.hash,
          snapshot.suite,
        ],
      );
      expect((await cps.verify(db)).ok).toBe(true);
      // A checkpoint line written by someone without the key is reported, and never trusted.
      fs.appendFileSync(
        cps.file,
        `${JSON.stringify({ seq: '999999', hash: 'ab'.repeat(32), at: new Date().toISOString(), suite: 'intl', mac: 'cd'.repeat(32) })}\n`,
      );
      expect(await cps.verify(db)).toMatchObject({ ok: false, forgedCheckpoints: 1 });
      fs.writeFileSync(
        cps.file,
        fs
          .readFileSync(cps.file, 'utf8')
          .split('\n')
          .filter((l) => !l.includes('999999'))
          .join('\n'),
      );
      expect((await cps.verify(db)).ok).toBe(true);
    });
  });

  describe('recording chain (point 11)', () => {
    let store: SegmentStore;
    const recRoot = () => path.join(dataDir, 'recordings');

    const makeRecording = async (countyOnly: boolean[]) => {
      store ??= new SegmentStore(db, MasterKeys.parse(v1), recRoot());
      const sessionId = randomUUID();
      const recId = randomUUID();
      const trackId = randomUUID();
      await db.query(
        `INSERT INTO reception_sessions (id, room_code, request_id, state, ended_at, end_reason) VALUES ($1, 'xingsha', $2, 'ended', now(), 'kiosk_hangup')`,
        [sessionId, randomUUID()],
      );
      await db.query(
        `INSERT INTO recordings (id, session_id, room_code, status, started_at) VALUES ($1, $2, 'xingsha', 'recording', now() - interval '400 days')`,
        [recId, sessionId],
      );
      await db.tx((q) => store.createKey(q, recId));
      await db.query(
        `INSERT INTO recording_tracks (id, recording_id, producer_id, kind, source, participant_role, started_at) VALUES ($1, $2, $3, 'video', 'camera', 'kiosk', now())`,
        [trackId, recId, randomUUID()],
      );
      for (const [i, co] of countyOnly.entries()) {
        const f = path.join(dataDir, `plain-${recId}-${i}.mkv`);
        fs.writeFileSync(f, randomBytes(2000));
        await store.add(recId, trackId, i + 1, f, 1000, co);
      }
      await db.tx(async (q) => {
        await q.query(`UPDATE recordings SET status = 'complete', stopped_at = now() - interval '400 days' WHERE id = $1`, [recId]);
        await sealRecordingHead(q, recId, 'complete');
      });
      expect(await verifyRecording(db, store, recId)).toMatchObject({ ok: true, segments: countyOnly.length });
      return recId;
    };
    const segs = async (recId: string) =>
      (
        await db.query<{
          seq: number;
          chain_hash: Buffer;
          sha256: Buffer;
          track_id: string;
          track_seq: number;
          county_only: boolean;
          size_bytes: string;
          file: string;
        }>('SELECT * FROM recording_segments WHERE recording_id = $1 ORDER BY seq', [recId])
      ).rows;
    // What someone with the database but without the key can do: make links the old unkeyed way.
    const rechainLegacy = async (recId: string) => {
      let prev = GENESIS;
      const rows = await segs(recId);
      for (const [i, s] of rows.entries()) {
        await db.query('UPDATE recording_segments SET seq = $3 WHERE recording_id = $1 AND seq = $2', [recId, s.seq, -(i + 1)]);
      }
      for (const [i, s] of rows.entries()) {
        // The old way's file digest is SHA-256 (the 国密 suite's is SM3): re-made from the file as well.
        const digest = createHash('sha256')
          .update(fs.readFileSync(store.filePath(s.file)))
          .digest();
        const link = legacyChainLink(prev, { sha256: digest, seq: i + 1, trackId: s.track_id, trackSeq: s.track_seq, countyOnly: s.county_only });
        await db.query('UPDATE recording_segments SET seq = $3, chain_hash = $4, sha256 = $5 WHERE recording_id = $1 AND seq = $2', [
          recId,
          -(i + 1),
          i + 1,
          link,
          digest,
        ]);
        prev = link;
      }
      await db.query(`UPDATE recordings SET chain_head = $2, segments = $3, chain_suite = 'legacy' WHERE id = $1`, [
        recId,
        rows.length ? prev : null,
        rows.length,
      ]);
    };

    it('detects a deleted last segment with the head re-pointed', async () => {
      const id = await makeRecording([false, false, false]);
      const rows = await segs(id);
      await db.query('DELETE FROM recording_segments WHERE recording_id = $1 AND seq = 3', [id]);
      await db.query('UPDATE recordings SET chain_head = $2, segments = 2 WHERE id = $1', [id, rows[1]!.chain_hash]);
      expect(await verifyRecording(db, store, id)).toMatchObject({ ok: false, firstBad: { problem: 'sealed head' } });
    });

    it('detects a deleted middle segment, even re-chained', async () => {
      const id = await makeRecording([false, false, false, false]);
      await db.query('DELETE FROM recording_segments WHERE recording_id = $1 AND seq = 2', [id]);
      expect((await verifyRecording(db, store, id)).ok).toBe(false);
      await rechainLegacy(id);
      expect(await verifyRecording(db, store, id)).toMatchObject({ ok: false, firstBad: { problem: 'sealed head' } });
    });

    it('detects all private segments deleted and the rest re-chained', async () => {
      const id = await makeRecording([false, true, true, false]);
      await db.query('DELETE FROM recording_segments WHERE recording_id = $1 AND county_only', [id]);
      await rechainLegacy(id);
      expect((await verifyRecording(db, store, id)).ok).toBe(false);
    });

    it('detects county_only cleared on a private segment (the township copy would grow)', async () => {
      const id = await makeRecording([false, true, false]);
      await db.query('UPDATE recording_segments SET county_only = false WHERE recording_id = $1 AND seq = 2', [id]);
      expect(await verifyRecording(db, store, id)).toMatchObject({ ok: false, firstBad: { seq: 2, problem: 'chain' } });
    });

    it('detects a recording marked purged without a purge, and verifies a real purge against its tombstone', async () => {
      const forged = await makeRecording([false, false]);
      await db.query(`UPDATE recordings SET status = 'purged' WHERE id = $1`, [forged]);
      expect(await verifyRecording(db, store, forged)).toMatchObject({ ok: false, firstBad: { problem: 'purge unrecorded' } });
      await db.query(`UPDATE recordings SET status = 'complete' WHERE id = $1`, [forged]);
      const real = await makeRecording([false, true]);
      const { purged } = await new RetentionJob(db, store, quietLog).sweep(new Date());
      expect(purged).toContain(real);
      expect(await verifyRecording(db, store, real)).toMatchObject({ ok: true, purged: true, segments: 2 });
      // The tombstone rows are covered too: editing one after the purge shows.
      await db.query('UPDATE recording_segments SET county_only = false WHERE recording_id = $1 AND seq = 2', [real]);
      expect((await verifyRecording(db, store, real)).ok).toBe(false);
    });
  });

  describe('identity (point 12)', () => {
    const attacks: [string, (id: string) => Promise<void>][] = [
      ['a field nulled', (id) => db.query('UPDATE petition_identity SET phone_ct = NULL WHERE petition_id = $1', [id]).then(() => {})],
      ['the identity row deleted', (id) => db.query('DELETE FROM petition_identity WHERE petition_id = $1', [id]).then(() => {})],
      ['flipped to anonymous', (id) => db.query('UPDATE petitions SET anonymous = true WHERE id = $1', [id]).then(() => {})],
      [
        'deleted and flipped to anonymous',
        (id) =>
          db
            .query('DELETE FROM petition_identity WHERE petition_id = $1', [id])
            .then(() => db.query('UPDATE petitions SET anonymous = true WHERE id = $1', [id]))
            .then(() => {}),
      ],
      ['its data key deleted', (id) => db.query('DELETE FROM data_keys WHERE owner_id = $1', [id]).then(() => {})],
      ['its seal removed', (id) => db.query('UPDATE petitions SET identity_mac = NULL WHERE id = $1', [id]).then(() => {})],
      [
        'identity swapped in from another petition',
        async (id) => {
          const other = petitionBody();
          await svc.submit(who.officer1, other);
          await db.query('DELETE FROM petition_identity WHERE petition_id = $1', [id]);
          await db.query('UPDATE petition_identity SET petition_id = $1 WHERE petition_id = $2', [id, other.id]);
        },
      ],
    ];
    it.each(attacks)('refuses a reveal with %s, raises an alarm and audits it', async (_name, attack) => {
      const b = petitionBody();
      await svc.submit(who.officer1, b);
      expect((await svc.reveal(who.officer1, b.id, '核实')).identity.name).toBe('王五');
      await attack(b.id);
      raised.length = 0;
      await expect(svc.reveal(who.officer1, b.id, '核实')).rejects.toMatchObject({ code: 'INTEGRITY' });
      expect(raised).toEqual([`integrity_failed:petition_identity:${b.id}`]);
      const audited = await db.query(`SELECT 1 FROM audit_log WHERE action = 'integrity.failure' AND object_id = $1`, [b.id]);
      expect(audited.rowCount).toBe(1);
      const reveals = await db.query(`SELECT 1 FROM audit_log WHERE action = 'identity.reveal' AND object_id = $1`, [b.id]);
      expect(reveals.rowCount).toBe(1); // the refused reveal left no reveal row
    });

    it('still reveals a genuinely anonymous petition as anonymous', async () => {
      const b = petitionBody({ identity: null });
      await svc.submit(who.officer1, b);
      expect((await svc.reveal(who.officer1, b.id, '核实')).identity).toEqual({ name: '', idCard: '', phone: '', address: '', village: '' });
    });
  });

  describe('receipt look-ups (point 6)', () => {
    const devices = new Map<string, string>();
    const kiosk = (name: string): Claims =>
      ({
        sub: devices.get(name) ?? (devices.set(name, randomUUID()), devices.get(name)!),
        role: 'kiosk' as Role,
        name: 'k',
        room: 'xingsha',
        exp: 0,
        iat: 0,
        aud: 'vj:kiosk',
        iss: 'vj-signaling',
      }) as Claims;

    it('answers alike for an unknown code and a wrong PIN, including the lock-out after five', async () => {
      const receipts = new ReceiptLookup(db, new LocalRateLimiter());
      const b = petitionBody();
      const r = await svc.submit(who.officer1, b);
      const wrong = r.pin === '000000' ? '111111' : '000000';
      const unknown = r.caseCode.slice(0, 4) + String((Number(r.caseCode.slice(4)) + 1) % 1_000_000).padStart(6, '0');
      const answers = async (code: string) => {
        const out: string[] = [];
        for (let i = 0; i < 6; i++)
          out.push(
            await receipts.lookup(kiosk('dev-oracle'), code, wrong).then(
              () => 'ok',
              (e: { code: string; message: string }) => `${e.code}:${e.message}`,
            ),
          );
        return out;
      };
      const known = await answers(r.caseCode);
      expect(await answers(unknown)).toEqual(known);
      expect(known.slice(0, 5).every((a) => a.startsWith('NOT_FOUND'))).toBe(true);
      expect(known[5]).toMatch(/^RATE_LIMITED/);
    });

    it("lets a stranger lock only their own kiosk: the villager's right PIN works from another", async () => {
      const receipts = new ReceiptLookup(db, new LocalRateLimiter());
      const b = petitionBody();
      const r = await svc.submit(who.officer1, b);
      const wrong = r.pin === '000000' ? '111111' : '000000';
      for (let i = 0; i < 6; i++) await receipts.lookup(kiosk('dev-stranger'), r.caseCode, wrong).catch(() => {});
      await expect(receipts.lookup(kiosk('dev-stranger'), r.caseCode, r.pin)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
      expect((await receipts.lookup(kiosk('dev-villager'), r.caseCode, r.pin)).caseCode).toBe(r.caseCode);
    });

    it('limits each kiosk credential, whatever codes it tries', async () => {
      const receipts = new ReceiptLookup(db, new LocalRateLimiter());
      const results: string[] = [];
      for (let i = 0; i < 25; i++)
        results.push(
          await receipts.lookup(kiosk('dev-sweeper'), `2612${String(i).padStart(6, '0')}`, '123456').then(
            () => 'ok',
            (e: { code: string }) => e.code,
          ),
        );
      expect(results.filter((c) => c === 'RATE_LIMITED').length).toBe(5);
      expect(results.slice(0, 20).every((c) => c === 'NOT_FOUND')).toBe(true);
    });

    it('stores a keyed verifier, not a hash anyone can search offline', async () => {
      const b = petitionBody();
      const r = await svc.submit(who.officer1, b);
      const row = (await db.query<{ pin_hash: string }>('SELECT pin_hash FROM petitions WHERE id = $1', [b.id])).rows[0]!;
      expect(row.pin_hash).toMatch(/^hmac\$sm\$/); // the 国密 suite is the default for new data
      expect(row.pin_hash).not.toContain(r.pin);
    });
  });
});

describe.each(backends)('keys across rotation on $name (point 13)', (backend) => {
  // One database walks through the whole life of the keys, in order.
  let db: Db;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ db, cleanup } = await backend.open());
    await migrate(db, quietLog);
  });
  afterAll(async () => cleanup?.());

  it('refuses a different key under a known version, keeps receipts, PINs and reveals across rotation, and returns the same receipt on retry', async () => {
    const m1 = MasterKeys.parse(v1);
    db.integrity = (await loadSystemKeys(db, m1, quietLog)).keys;
    const who = await seededClaims(db, ['officer1'] as const);
    const body = {
      id: randomUUID(),
      sessionId: null,
      townshipCode: 'xingsha',
      category: '工作作风' as const,
      narrative: '轮换前的信访',
      accused: [],
      identity: { name: '赵六', idCard: withIdCardCheck('43012119800101001'), phone: '13800000001', address: '某路 2 号', village: '某村' },
    };
    const first = await new PetitionService(db, m1).submit(who.officer1, body);

    // Another key under version 1: refused at start, before anything is read or written with it.
    await expect(loadSystemKeys(db, MasterKeys.parse(MasterKeys.generateSpec(1)), quietLog)).rejects.toBeInstanceOf(KeyCheckError);

    // Rotate: add v2, re-wrap everything, then drop v1, as the README says.
    const both = MasterKeys.parse(`${v1},${v2}`);
    db.integrity = (await loadSystemKeys(db, both, quietLog)).keys;
    await rewrapDataKeys(db, both);
    const m2 = MasterKeys.parse(v2);
    const loaded = await loadSystemKeys(db, m2, quietLog);
    expect(loaded.created).toBe(false);
    db.integrity = loaded.keys;
    const svc2 = new PetitionService(db, m2);
    const retry = await svc2.submit(who.officer1, body);
    expect(retry).toMatchObject({ created: false, caseCode: first.caseCode, pin: first.pin });
    const kiosk = { sub: randomUUID(), role: 'kiosk', name: 'k', room: 'xingsha', exp: 0, iat: 0, aud: 'vj:kiosk', iss: 'vj-signaling' } as Claims;
    expect((await new ReceiptLookup(db, new LocalRateLimiter()).lookup(kiosk, first.caseCode, first.pin)).caseCode).toBe(first.caseCode);
    expect((await svc2.reveal(who.officer1, body.id, '轮换后核对')).identity.name).toBe('赵六');
    expect((await verifyAuditChain(db)).ok).toBe(true);
    await expect(loadSystemKeys(db, MasterKeys.parse(MasterKeys.generateSpec(2)), quietLog)).rejects.toBeInstanceOf(KeyCheckError);
  });

  it('refuses to start without a master key version that still wraps keys', async () => {
    await expect(loadSystemKeys(db, MasterKeys.parse(MasterKeys.generateSpec(3)), quietLog)).rejects.toThrow(/version\(s\) 2/);
  });

  it('never re-creates a missing integrity key once keyed data exists', async () => {
    await db.query(`DELETE FROM system_keys WHERE name = 'integrity-root'`);
    await expect(loadSystemKeys(db, MasterKeys.parse(v2), quietLog)).rejects.toThrow(/missing although keyed data exists/);
  });
});

describe('integrity keys', () => {
  it('derive distinct subkeys per purpose and refuse audited writes before they are loaded', async () => {
    const k = IntegrityKeys.ephemeral();
    expect(k.key('audit-chain').equals(k.key('recording-chain'))).toBe(false);
    expect(k.key('audit-chain').equals(k.key('audit-chain'))).toBe(true);
    const tx = { inTransaction: true as const, integrity: undefined, query: async () => ({ rows: [] }) as never };
    await expect(appendAudit(tx, { actorId: null, actorRole: null, action: 'auth.login' })).rejects.toThrow(/key not loaded/);
  });
});
