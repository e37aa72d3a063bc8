// Petition intake writes the petition, its key, identity, accused and audit row in one statement, with the chain
// lock taken and released inside the database (auditedStatement). These tests hold it to what the transaction
// it replaced guaranteed: every petition audited exactly once, an unbroken keyed chain however the appends
// interleave (other audited writes, another writer the process knows nothing of), and a first deadline from the
// policy in force when the petition was written, even though intake keeps a copy of that policy in memory.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withIdCardCheck } from '@vj/shared';
import type { Tx } from '../../signaling/src/db/db.js';
import { appendAudit } from '../../signaling/src/audit/audit-log.js';
import { verifyAuditChain } from '../../signaling/src/audit/verify.js';
import { loadPolicy } from '../../signaling/src/cases/case-policy.js';
import { dueAt } from '../../signaling/src/cases/deadline-clock.js';
import type { IntegrityKeyring } from '../../signaling/src/security/system-keys.js';
import { backends, withIntake, type Backend } from '../helpers/backends.js';
import { waitFor } from '../helpers/poll.js';

/** Intake on a fresh migrated database for one describe block (hooks registered here). */
function intakeOn(backend: Backend) {
  const t = {} as Awaited<ReturnType<typeof withIntake>>;
  beforeAll(async () => void Object.assign(t, await withIntake(backend)));
  afterAll(async () => t.cleanup?.());
  return t;
}

describe.each(backends)('petition intake and the audit chain on $name', (backend) => {
  const t = intakeOn(backend);

  const body = (i: number, named = true) => ({
    id: randomUUID(),
    sessionId: null,
    townshipCode: i % 2 ? 'xingsha' : 'langli',
    category: '工作作风' as const,
    narrative: `第 ${i} 件：村干部办事拖拉`,
    accused: i % 3 === 0 ? [] : [{ name: '李某', unit: '某村委会', position: '主任', townshipCode: null, officialCode: null }, { name: `张某${i}`, unit: '', position: '', townshipCode: null, officialCode: null }],
    identity: named ? { name: '王五', idCard: withIdCardCheck('43012119800101001'), phone: '13800000000', address: '某路 1 号', village: '某村' } : null,
  });

  const auditRows = async () => Number((await t.db.query<{ n: string }>('SELECT count(*) AS n FROM audit_log')).rows[0]!.n);

  it('audits every petition exactly once, and keeps the chain whole while other audited writes interleave', async () => {
    const before = await auditRows();
    const bodies = Array.from({ length: 40 }, (_, i) => body(i, i % 4 !== 0));
    const others = Array.from({ length: 15 }, (_, i) =>
      t.db.tx((q) => appendAudit(q, { actorId: t.officer.sub, actorRole: t.officer.role, action: 'identity.reveal', objectType: 'petition', objectId: randomUUID(), details: { reason: `交错 ${i}` } })),
    );
    const receipts = await Promise.all([...bodies.map((b) => t.svc.submit(t.officer, b)), ...others]);
    expect(receipts.slice(0, bodies.length).every((r) => 'created' in r && r.created)).toBe(true);
    expect(await auditRows()).toBe(before + bodies.length + others.length);

    const ids = bodies.map((b) => b.id);
    const audited = await t.db.query<{ object_id: string; n: string }>(
      `SELECT object_id, count(*) AS n FROM audit_log WHERE action = 'petition.create' AND object_id = ANY($1::text[]) GROUP BY object_id`,
      [ids],
    );
    expect(audited.rows.length).toBe(bodies.length);
    expect(audited.rows.every((r) => r.n === '1')).toBe(true);
    // Everything the statement writes is there for each petition: key, identity (when named), accused.
    const parts = await t.db.query<{ id: string; keys: string; identity: string; accused: string }>(
      `SELECT p.id, (SELECT count(*) FROM data_keys k WHERE k.owner_id = p.id) AS keys,
              (SELECT count(*) FROM petition_identity i WHERE i.petition_id = p.id) AS identity,
              (SELECT count(*) FROM petition_accused a WHERE a.petition_id = p.id) AS accused
       FROM petitions p WHERE p.id = ANY($1::uuid[])`,
      [ids],
    );
    const byId = new Map(parts.rows.map((r) => [r.id, r]));
    bodies.forEach((b, i) => {
      const r = byId.get(b.id)!;
      expect([r.keys, r.identity, r.accused]).toEqual(['1', i % 4 !== 0 ? '1' : '0', String(b.accused.length)]);
    });
    const chain = await verifyAuditChain(t.db);
    expect(chain.ok).toBe(true);
  });

  it('links again when another writer moved the head (as another node would), and a retry of the same id audits nothing', async () => {
    // A keyring object of its own shares nothing of this process's guess of the head, as another node's would not.
    const k = t.db.integrity!;
    const elsewhere: IntegrityKeyring = { suite: k.suite, pinDigits: k.pinDigits, key: (p, s) => k.key(p, s) };
    const asElsewhere = (q: Tx): Tx => ({ inTransaction: true, integrity: elsewhere, query: (sql, params) => q.query(sql, params) });
    await t.svc.submit(t.officer, body(1)); // this process now expects its own append to be the head
    for (let i = 0; i < 3; i++) await t.db.tx((q) => appendAudit(asElsewhere(q), { actorId: null, actorRole: null, action: 'identity.reveal', objectType: 'petition', objectId: randomUUID() }));
    const before = await auditRows();
    const b = body(2);
    const first = await t.svc.submit(t.officer, b);
    expect(first.created).toBe(true);
    const again = await t.svc.submit(t.officer, b);
    expect(again).toMatchObject({ created: false, caseCode: first.caseCode, pin: first.pin });
    expect(await auditRows()).toBe(before + 1);
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it('writes the first deadline from the policy in force, not from the copy intake kept', async () => {
    const early = body(3);
    await t.svc.submit(t.officer, early); // intake now holds a copy of the policy
    const accept = (await loadPolicy(t.db)).accept;
    // Changed behind the service's back (another node, or SQL): the copy is stale.
    await t.db.query(`UPDATE case_deadline_policy SET days = $1, counting = 'calendar' WHERE kind = 'accept'`, [accept.days + 20]);
    try {
      const late = body(4);
      await t.svc.submit(t.officer, late);
      const policy = await loadPolicy(t.db);
      expect(policy.accept.days).toBe(accept.days + 20);
      const row = (await t.db.query<{ created_at: Date; accept_due_at: Date }>('SELECT created_at, accept_due_at FROM petitions WHERE id = $1', [late.id])).rows[0]!;
      expect(row.accept_due_at.toISOString()).toBe(dueAt(row.created_at, policy.accept, policy.calendar).toISOString());
    } finally {
      await t.db.query(`UPDATE case_deadline_policy SET days = $1, counting = $2 WHERE kind = 'accept'`, [accept.days, accept.counting]);
    }
  });
});

// Two connections are needed, so PostgreSQL only (PGlite serves one connection and cannot interleave).
describe.each(backends.filter((b) => b.name.startsWith('PostgreSQL')))('intake beside a transaction that locks a user and then audits, on $name', (backend) => {
  const t = intakeOn(backend);

  it('takes the rows its foreign keys need before the chain lock, so neither waits for the other in a circle', async () => {
    // As an administrator linking the officer's account does (registry/user-links.ts): lock the user row, then audit.
    let release!: () => void;
    const go = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const userLocked = new Promise<void>((r) => (locked = r));
    const admin = t.db.tx(async (q) => {
      await q.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [t.officer.sub]);
      locked();
      await go;
      await appendAudit(q, { actorId: null, actorRole: null, action: 'user.link', objectType: 'user', objectId: t.officer.sub });
    });
    await userLocked;
    const intake = t.svc.submit(t.officer, {
      id: randomUUID(),
      sessionId: null,
      townshipCode: 'xingsha',
      category: '工作作风' as const,
      narrative: '反映村干部办事拖拉',
      accused: [{ name: '李某', unit: '某村委会', position: '主任', townshipCode: 'xingsha', officialCode: null }],
      identity: null,
    });
    // Intake is now waiting for the officer's row. Had it taken the chain lock first, the administrator's audit
    // row would wait for intake and intake for the administrator: PostgreSQL would abort one of them (40P01).
    await waitFor('intake to wait for the locked user row', async () => {
      const r = await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
      return Number(r.rows[0]!.n) > 0 || undefined;
    });
    release();
    const [, receipt] = await Promise.all([admin, intake]);
    expect(receipt.created).toBe(true);
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });
});
