import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withIdCardCheck } from '@vj/shared';
import type { Db } from '@vj/signaling';
import { appendAudit } from '../../signaling/src/audit/audit-log.js';
import { verifyAuditChain } from '../../signaling/src/audit/verify.js';
import { PetitionService } from '../../signaling/src/petitions/petition-service.js';
import { MasterKeys } from '../../signaling/src/security/crypto.js';
import type { Claims } from '../../signaling/src/security/jwt.js';
import { rewrapDataKeys } from '../../signaling/src/security/rotate-keys.js';
import { backends, withIntake } from '../helpers/backends.js';

const v1 = MasterKeys.generateSpec(1);

describe.each(backends)('confidential records on $name', (backend) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let svc: PetitionService;
  let officer: Claims;

  beforeAll(async () => {
    ({ db, cleanup, officer, svc } = await withIntake(backend, v1));
  });
  afterAll(async () => cleanup?.());

  const body = (over: Record<string, unknown> = {}) => ({
    id: randomUUID(),
    sessionId: null,
    townshipCode: 'xingsha',
    category: '工作作风' as const,
    narrative: '村干部办事拖拉',
    accused: [{ name: '李某', unit: '某村委会', position: '主任', townshipCode: 'xingsha', officialCode: null }],
    identity: { name: '王五', idCard: withIdCardCheck('43012119800101001'), phone: '13800000000', address: '某路 1 号', village: '某村' },
    ...over,
  });

  it('submits idempotently: a retry returns the same receipt, different content under the same id conflicts', async () => {
    const b = body();
    const [a, c] = await Promise.all([svc.submit(officer, b), svc.submit(officer, b)]);
    expect([a.created, c.created].sort()).toEqual([false, true]);
    expect(c.caseCode).toBe(a.caseCode);
    expect(c.pin).toBe(a.pin);
    await expect(svc.submit(officer, { ...b, narrative: '改过的内容' })).rejects.toMatchObject({ code: 'CONFLICT' });
    const n = await db.query<{ n: string }>('SELECT count(*) AS n FROM petitions WHERE id = $1', [b.id]);
    expect(n.rows[0]!.n).toBe('1');
    // What the retry was compared with is keyed: the form's plain hash (which a dump would let anyone test guesses
    // of the identity against) is not in the table.
    const stored = (await db.query<{ request_digest: string }>('SELECT request_digest FROM petitions WHERE id = $1', [b.id])).rows[0]!.request_digest;
    expect(stored).toMatch(/^sm:[0-9a-f]{64}$/);
    expect(stored).not.toContain(createHash('sha256').update(JSON.stringify(b)).digest('hex'));
  });

  it('stores identity only as ciphertext, and reveals it with an audit row', async () => {
    const b = body();
    await svc.submit(officer, b);
    const raw = await db.query<{ name_ct: Buffer }>('SELECT name_ct FROM petition_identity WHERE petition_id = $1', [b.id]);
    expect(raw.rows[0]!.name_ct.includes(Buffer.from('王五'))).toBe(false);
    const r = await svc.reveal(officer, b.id, '核实信访人联系方式');
    expect(r.identity).toMatchObject({ name: '王五', phone: '13800000000' });
    const a = await db.query<{ action: string; details: { reason: string } }>('SELECT action, details FROM audit_log WHERE seq = $1', [r.auditSeq]);
    expect(a.rows[0]).toMatchObject({ action: 'identity.reveal', details: { reason: '核实信访人联系方式' } });
  });

  it('fails the reveal when its audit row cannot be written (fail closed)', async () => {
    const b = body();
    await svc.submit(officer, b);
    await db.query(`CREATE FUNCTION test_block_reveal() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.action = 'identity.reveal' THEN RAISE EXCEPTION 'audit store unavailable'; END IF; RETURN NEW; END $$`);
    await db.query('CREATE TRIGGER test_block_reveal BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION test_block_reveal()');
    try {
      await expect(svc.reveal(officer, b.id, '核实信访人联系方式')).rejects.toThrow(/audit store unavailable/);
    } finally {
      await db.query('DROP TRIGGER test_block_reveal ON audit_log');
      await db.query('DROP FUNCTION test_block_reveal()');
    }
  });

  it('cannot decrypt identity moved to another petition (row swap)', async () => {
    const a = body();
    const c = body();
    await svc.submit(officer, a);
    await svc.submit(officer, c);
    await db.query(`UPDATE petition_identity SET name_ct = (SELECT name_ct FROM petition_identity WHERE petition_id = $2) WHERE petition_id = $1`, [
      a.id,
      c.id,
    ]);
    // The identity seal catches the swap before decryption would (GCM's AAD binding is the second line).
    await expect(svc.reveal(officer, a.id, '核实信访人联系方式')).rejects.toMatchObject({ code: 'INTEGRITY' });
  });

  it('re-wraps every data key on rotation; identity still reveals under the new key alone', async () => {
    const b = body();
    await svc.submit(officer, b);
    const v2 = MasterKeys.generateSpec(2);
    const n = await rewrapDataKeys(db, MasterKeys.parse(`${v1},${v2}`));
    expect(n).toBeGreaterThan(0);
    const left = await db.query<{ n: string }>('SELECT count(*) AS n FROM data_keys WHERE kek_version <> 2');
    expect(left.rows[0]!.n).toBe('0');
    const after = new PetitionService(db, MasterKeys.parse(v2));
    expect((await after.reveal(officer, b.id, '密钥轮换后核对')).identity.name).toBe('王五');
    expect(await rewrapDataKeys(db, MasterKeys.parse(v2))).toBe(0);
  });

  it('keeps the audit log append-only, even for the database owner', async () => {
    await expect(db.query(`UPDATE audit_log SET action = 'x' WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM audit_log WHERE seq = 1')).rejects.toThrow(/append-only/);
    await expect(db.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
  });

  it('chains concurrent appends without forks, and verifies', async () => {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => db.tx((q) => appendAudit(q, { actorId: null, actorRole: null, action: 'auth.login_failed', details: { i } }))),
    );
    const r = await verifyAuditChain(db);
    expect(r).toMatchObject({ ok: true, firstBroken: null });
    expect(r.rows).toBeGreaterThanOrEqual(40);
  });

  it('detects random edits, deletes and reorders of audit rows, naming the first broken row', async () => {
    const head = (await verifyAuditChain(db)).head!;
    const total = Number(head.seq);
    // Bypassing the guard needs the owner to switch triggers off: exactly the attacker the chain is for.
    const tamper = async (sql: string, params: unknown[]) => {
      await db.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
      try {
        await db.query(sql, params);
      } finally {
        await db.query('ALTER TABLE audit_log ENABLE TRIGGER USER');
      }
    };
    const snapshot = await db.query('SELECT * FROM audit_log ORDER BY seq');
    const restore = async () => {
      await tamper('DELETE FROM audit_log', []);
      for (const r of snapshot.rows) {
        await tamper(
          `INSERT INTO audit_log (seq, at, actor_id, actor_role, action, object_type, object_id, township_code, details, prev_hash, hash, suite) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
          [
            r.seq,
            r.at,
            r.actor_id,
            r.actor_role,
            r.action,
            r.object_type,
            r.object_id,
            r.township_code,
            JSON.stringify(r.details),
            r.prev_hash,
            r.hash,
            r.suite,
          ],
        );
      }
      expect((await verifyAuditChain(db)).ok).toBe(true);
    };
    const pick = () => 2 + Math.floor(Math.random() * (total - 3));
    const attacks: [string, () => Promise<string>, string][] = [
      [
        'edit an action',
        async () => {
          const s = pick();
          await tamper(`UPDATE audit_log SET action = 'auth.login' WHERE seq = $1`, [s]);
          return String(s);
        },
        'edited row',
      ],
      [
        'edit details',
        async () => {
          const s = pick();
          await tamper(`UPDATE audit_log SET details = '{"reason":"nothing to see"}' WHERE seq = $1`, [s]);
          return String(s);
        },
        'edited row',
      ],
      [
        'edit a timestamp',
        async () => {
          const s = pick();
          await tamper(`UPDATE audit_log SET at = at + interval '1 second' WHERE seq = $1`, [s]);
          return String(s);
        },
        'edited row',
      ],
      [
        'delete a row',
        async () => {
          const s = pick();
          await tamper('DELETE FROM audit_log WHERE seq = $1', [s]);
          return String(s);
        },
        'missing row',
      ],
      [
        'delete a row and renumber after it',
        async () => {
          const s = pick();
          await tamper('DELETE FROM audit_log WHERE seq = $1', [s]);
          await tamper('UPDATE audit_log SET seq = seq - 1 WHERE seq > $1', [s]);
          return String(s);
        },
        'broken link',
      ],
      [
        'swap two rows',
        async () => {
          const s = pick();
          await tamper('UPDATE audit_log SET seq = -1 WHERE seq = $1', [s]);
          await tamper('UPDATE audit_log SET seq = $1 WHERE seq = $2', [s, s + 1]);
          await tamper('UPDATE audit_log SET seq = $1 WHERE seq = -1', [s + 1]);
          return String(s);
        },
        'broken link',
      ],
    ];
    for (const [name, attack, problem] of attacks) {
      const at = await attack();
      const r = await verifyAuditChain(db);
      expect(r.ok, name).toBe(false);
      expect(r.firstBroken, name).toEqual({ seq: at, problem });
      await restore();
    }
    // Rows cut from the end leave a valid shorter chain: only a head recorded outside the database (an anchor, or
    // the signed checkpoints of integrity.test.ts) catches that.
    await tamper('DELETE FROM audit_log WHERE seq = $1', [total]);
    expect((await verifyAuditChain(db)).ok).toBe(true);
    expect(await verifyAuditChain(db, { anchor: head })).toMatchObject({ ok: false, firstBroken: { seq: head.seq, problem: 'missing row' } });
    await restore();
  });
});
