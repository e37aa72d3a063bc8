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
import { MAX_TOGETHER, auditedStatement, queuedChanges } from '../../signaling/src/audit/audited-statement.js';
import { verifyAuditChain } from '../../signaling/src/audit/verify.js';
import { loadPolicy, needRule } from '../../signaling/src/cases/case-policy.js';
import { dueAt } from '../../signaling/src/cases/deadline-clock.js';
import type { IntegrityKeyring } from '../../signaling/src/security/system-keys.js';
import { openPostgres } from '@vj/signaling';
import { backends, quietLog, withIntake, type Backend } from '../helpers/backends.js';
import { createTestDatabase } from '../helpers/services.js';
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
    accused:
      i % 3 === 0
        ? []
        : [
            { name: '李某', unit: '某村委会', position: '主任', townshipCode: null, officialCode: null },
            { name: `张某${i}`, unit: '', position: '', townshipCode: null, officialCode: null },
          ],
    identity: named ? { name: '王五', idCard: withIdCardCheck('43012119800101001'), phone: '13800000000', address: '某路 1 号', village: '某村' } : null,
  });

  const auditRows = async () => Number((await t.db.query<{ n: string }>('SELECT count(*) AS n FROM audit_log')).rows[0]!.n);

  it('audits every petition exactly once, and keeps the chain whole while other audited writes interleave', async () => {
    const before = await auditRows();
    const bodies = Array.from({ length: 40 }, (_, i) => body(i, i % 4 !== 0));
    const others = Array.from({ length: 15 }, (_, i) =>
      t.db.tx((q) =>
        appendAudit(q, {
          actorId: t.officer.sub,
          actorRole: t.officer.role,
          action: 'identity.reveal',
          objectType: 'petition',
          objectId: randomUUID(),
          details: { reason: `交错 ${i}` },
        }),
      ),
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
    for (let i = 0; i < 3; i++)
      await t.db.tx((q) =>
        appendAudit(asElsewhere(q), { actorId: null, actorRole: null, action: 'identity.reveal', objectType: 'petition', objectId: randomUUID() }),
      );
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
    const accept = needRule(await loadPolicy(t.db), 'accusation', 'accept');
    // Changed behind the service's back (another node, or SQL): the copy is stale.
    await t.db.query(`UPDATE case_deadline_policy SET days = $1, counting = 'calendar' WHERE matter_class = 'accusation' AND kind = 'accept'`, [
      accept.days + 20,
    ]);
    try {
      const late = body(4);
      await t.svc.submit(t.officer, late);
      const policy = await loadPolicy(t.db);
      expect(needRule(policy, 'accusation', 'accept').days).toBe(accept.days + 20);
      const row = (await t.db.query<{ created_at: Date; accept_due_at: Date }>('SELECT created_at, accept_due_at FROM petitions WHERE id = $1', [late.id]))
        .rows[0]!;
      expect(row.accept_due_at.toISOString()).toBe(dueAt(row.created_at, needRule(policy, 'accusation', 'accept'), policy.calendar).toISOString());
    } finally {
      await t.db.query(`UPDATE case_deadline_policy SET days = $1, counting = $2 WHERE matter_class = 'accusation' AND kind = 'accept'`, [
        accept.days,
        accept.counting,
      ]);
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

// Submits that arrive while one is in flight go next together, in one statement. To line a batch up on purpose, a
// transaction holds a room row: the submit in flight waits for it, and what arrives meanwhile queues behind.
describe.each(backends.filter((b) => b.name.startsWith('PostgreSQL')))('submits sent together on $name', (backend) => {
  const t = intakeOn(backend);

  const body = (townshipCode: string, n: number) => ({
    id: randomUUID(),
    sessionId: null,
    townshipCode,
    category: '工作作风' as const,
    narrative: `一并送出的第 ${n} 件`,
    accused: [{ name: `赵某${n}`, unit: '某村委会', position: '主任', townshipCode: null, officialCode: null }],
    identity: n % 2 ? { name: '王五', idCard: withIdCardCheck('43012119800101001'), phone: '13800000000', address: '某路 1 号', village: '某村' } : null,
  });

  /** Holds `room` FOR UPDATE until `release(audit)`, which first appends an audit row in the same transaction. */
  async function holdRoom(room: string) {
    let release!: (audit: boolean) => void;
    const go = new Promise<boolean>((r) => (release = r));
    let locked!: () => void;
    const held = new Promise<void>((r) => (locked = r));
    const done = t.db.tx(async (q) => {
      await q.query('SELECT 1 FROM rooms WHERE code = $1 FOR UPDATE', [room]);
      locked();
      if (await go) await appendAudit(q, { actorId: null, actorRole: null, action: 'case.policy', objectType: 'room', objectId: room });
    });
    await held;
    return { release, done };
  }
  const lockWaits = async () =>
    Number(
      (await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).rows[0]!
        .n,
    );
  /** The transactions the petitions' audit rows were committed in. */
  const transactions = async (ids: string[]) =>
    Number(
      (
        await t.db.query<{ n: string }>(
          `SELECT count(DISTINCT xmin::text) AS n FROM audit_log WHERE action = 'petition.create' AND object_id = ANY($1::text[])`,
          [ids],
        )
      ).rows[0]!.n,
    );

  /** A submit in flight and waiting on a held room, `queued` more lined up behind it; returns their outcomes. */
  async function lineUp(queued: Parameters<typeof t.svc.submit>[1][]) {
    const hold = await holdRoom('langli');
    const first = t.svc.submit(t.officer, body('langli', 0));
    await waitFor('the first submit to wait for the held room', async () => (await lockWaits()) > 0 || undefined);
    const rest = queued.map((b) =>
      t.svc.submit(t.officer, b).then(
        (r) => ({ ok: true as const, r }),
        (e: unknown) => ({ ok: false as const, e }),
      ),
    );
    await waitFor('the others to queue behind it', () => queuedChanges(t.db) === queued.length || undefined);
    return { hold, first, rest };
  }

  it('sends what queued together, at most MAX_TOGETHER to a statement, each petition audited once, the chain whole', async () => {
    const bodies = Array.from({ length: MAX_TOGETHER * 2 + 1 }, (_, i) => body(i % 2 ? 'xingsha' : 'langli', i + 1));
    const { hold, first, rest } = await lineUp(bodies);
    hold.release(false);
    await hold.done;
    expect((await first).created).toBe(true);
    const outcomes = await Promise.all(rest);
    expect(outcomes.every((o) => o.ok && o.r.created)).toBe(true);
    // In the order queued: two full statements and one with the last.
    const sizes = await t.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM audit_log WHERE action = 'petition.create' AND object_id = ANY($1::text[]) GROUP BY xmin::text ORDER BY min(seq)`,
      [bodies.map((b) => b.id)],
    );
    expect(sizes.rows.map((r) => Number(r.n))).toEqual([MAX_TOGETHER, MAX_TOGETHER, 1]);
    const audited = await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_log WHERE action = 'petition.create' AND object_id = ANY($1::text[])`, [
      bodies.map((b) => b.id),
    ]);
    expect(audited.rows[0]!.n).toBe(String(bodies.length));
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it('sends a batch again one by one when any of it fails: a bad one fails alone, a retry gets its receipt back', async () => {
    const earlier = body('xingsha', 10);
    const receipt = await t.svc.submit(t.officer, earlier);
    const before = await t.db.query<{ n: string }>('SELECT count(*) AS n FROM audit_log');
    const good = [body('xingsha', 11), body('langli', 12), body('xingsha', 13)];
    const bad = { ...body('xingsha', 14), townshipCode: 'nowhere' };
    // A retry of a petition already written makes no row, so the next link in the batch is wrong (VJ409); an
    // unknown township fails the whole statement (23503). Either way each goes again alone.
    const { hold, first, rest } = await lineUp([good[0]!, earlier, good[1]!, bad, good[2]!]);
    hold.release(false);
    await hold.done;
    await first;
    const [o1, retry, o2, failed, o3] = await Promise.all(rest);
    expect([o1, o2, o3].every((o) => o!.ok && o!.r.created)).toBe(true);
    expect(retry).toMatchObject({ ok: true, r: { created: false, caseCode: receipt.caseCode, pin: receipt.pin } });
    expect(failed).toMatchObject({ ok: false, e: { code: 'BAD_REQUEST' } });
    expect((await t.db.query('SELECT 1 FROM petitions WHERE id = $1', [bad.id])).rowCount).toBe(0);
    const after = await t.db.query<{ n: string }>('SELECT count(*) AS n FROM audit_log');
    expect(Number(after.rows[0]!.n)).toBe(Number(before.rows[0]!.n) + 1 + good.length); // the first, and the three good
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it("takes every petition's referenced rows before the chain lock, so a batch and a transaction that locks then audits never deadlock", async () => {
    // The batch waits for a room another transaction holds; that transaction then appends to the chain. Had the
    // batch taken the chain lock before the room, each would wait for the other (40P01).
    const bodies = [body('xingsha', 21), body('langli', 22), body('xingsha', 23)];
    const hold = await holdRoom('langli');
    const second = await holdRoom('xingsha');
    const first = t.svc.submit(t.officer, body('xingsha', 20));
    await waitFor('the first submit to wait for xingsha', async () => (await lockWaits()) > 0 || undefined);
    const rest = Promise.all(bodies.map((b) => t.svc.submit(t.officer, b)));
    await waitFor('the others to queue', () => queuedChanges(t.db) === bodies.length || undefined);
    second.release(true);
    await second.done;
    await first;
    // The batch is now in flight, waiting for langli; the holder appends to the chain and commits.
    await waitFor('the batch to wait for langli', async () => (await lockWaits()) > 0 || undefined);
    hold.release(true);
    await hold.done;
    expect((await rest).every((r) => r.created)).toBe(true);
    expect(await transactions(bodies.map((b) => b.id))).toBe(1);
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });
});

// When one petition of a batch is stuck (its room row held past the statement timeout), the server cancels the
// batch at its statement_timeout and the rest go again alone and are written; only the stuck one is refused, and
// it is not written later behind the caller's back. Also: a change whose SQL cannot even be built fails alone.
describe.each(backends.filter((b) => b.name.startsWith('PostgreSQL')))('a stuck petition in a batch on $name', () => {
  const quick: Backend = {
    name: 'PostgreSQL, 2 s statement timeout',
    open: async () => {
      const t = await createTestDatabase();
      const db = await openPostgres(t.url, quietLog, { queryTimeoutMs: 2000 });
      return { db, cleanup: async () => (await db.close(), await t.drop()) };
    },
  };
  const t = intakeOn(quick);
  const body = (townshipCode: string, n: number) => ({
    id: randomUUID(),
    sessionId: null,
    townshipCode,
    category: '工作作风' as const,
    narrative: `卡住的一批里的第 ${n} 件`,
    accused: [],
    identity: null,
  });
  const written = async (ids: string[]) =>
    Number((await t.db.query<{ n: string }>('SELECT count(*) AS n FROM petitions WHERE id = ANY($1::uuid[])', [ids])).rows[0]!.n);

  it('refuses only the stuck one, writes the others, and never writes the refused one later', async () => {
    // A transaction holds the langli room row for 5 s: longer than the 2 s statement timeout.
    let release!: () => void;
    const go = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const held = new Promise<void>((r) => (locked = r));
    const holder = t.db.tx(async (q) => {
      await q.query(`SELECT 1 FROM rooms WHERE code = 'langli' FOR UPDATE`);
      locked();
      await go;
    });
    await held;
    const first = t.svc.submit(t.officer, body('xingsha', 0)).catch((e: unknown) => e);
    const [a, b, stuck] = [body('xingsha', 1), body('xingsha', 2), body('langli', 3)];
    const outcomes = [a, b, stuck].map((x) =>
      t.svc.submit(t.officer, x).then(
        (r) => ({ ok: true as const, r }),
        (e: unknown) => ({ ok: false as const, e }),
      ),
    );
    const [oa, ob, os] = await Promise.all(outcomes);
    await first;
    expect(oa).toMatchObject({ ok: true, r: { created: true } });
    expect(ob).toMatchObject({ ok: true, r: { created: true } });
    expect(os).toMatchObject({ ok: false, e: { code: 'UNAVAILABLE' } });
    release();
    await holder;
    // Once the row is free nothing of the refused petition appears: the server cancelled it, it was not left running.
    await new Promise((r) => setTimeout(r, 500));
    expect(await written([stuck.id])).toBe(0);
    expect(await written([a.id, b.id])).toBe(2);
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it('answers every caller when one change in a batch cannot be built', async () => {
    // Line a batch up behind a statement in flight, one of whose changes throws while its SQL is built.
    const slow = auditedStatement(t.db, ({ $, name }) => ({ ctes: [`${name('w')} AS (SELECT pg_sleep(${$(0.5)}::float8) AS x)`], gate: name('w') }), {
      actorId: null,
      actorRole: null,
      action: 'case.policy',
      objectType: 'probe',
      objectId: 'slow',
    });
    const good = t.svc.submit(t.officer, body('xingsha', 10));
    const broken = auditedStatement(
      t.db,
      () => {
        throw new Error('cannot build');
      },
      { actorId: null, actorRole: null, action: 'case.policy', objectType: 'probe', objectId: 'broken' },
    );
    const also = t.svc.submit(t.officer, body('xingsha', 11));
    const settled = await Promise.allSettled([slow, good, broken, also]);
    expect(settled.map((x) => x.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });
});
