import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@vj/signaling';
import { CaseService } from '../../signaling/src/cases/case-service.js';
import { DeadlineJob } from '../../signaling/src/cases/deadline-job.js';
import { dayOf, isoDay } from '../../signaling/src/cases/deadline-clock.js';
import { PetitionService } from '../../signaling/src/petitions/petition-service.js';
import { MasterKeys } from '../../signaling/src/security/crypto.js';
import type { Claims } from '../../signaling/src/security/jwt.js';
import { backends, migrated, quietLog } from '../helpers/backends.js';
import { seededClaims } from '../helpers/claims.js';
import { petitionBody } from '../helpers/fixtures.js';

const cst = (local: string) => new Date(`${local}+08:00`);
/**
 * A fixture body in the service's input type (the fixture's identity is a loose record). 申诉: these tests walk the
 * 《信访工作条例》 clock (15 calendar days to decide); an accusation's 5 working days are in matter-classes.test.ts.
 */
const body = (township: string) => petitionBody(township, null, { matterClass: 'appeal' }) as Parameters<PetitionService['submit']>[1];
const dueDay = (iso: string | null) => (iso ? isoDay(dayOf(new Date(iso))) : null);

describe.each(backends)('case deadlines with an injected clock on $name', (backend) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  const who = {} as Record<'officer1' | 'supervisor' | 'xingsha-handler', Claims>;
  let clock = cst('2026-11-02T10:00:00');
  const now = () => clock;
  let petitions: PetitionService;
  let cases: CaseService;
  const job = () => new DeadlineJob(db, quietLog, now);

  beforeAll(async () => {
    ({ db, cleanup } = await migrated(backend));
    Object.assign(who, await seededClaims(db, ['officer1', 'supervisor', 'xingsha-handler'] as const));
    petitions = new PetitionService(db, MasterKeys.parse(MasterKeys.generateSpec(1)), { now });
    cases = new CaseService(db, now);
  });
  afterAll(async () => cleanup?.());

  const escalations = async (id: string) =>
    (
      await db.query<{ clock: string; level: string; notified: { role: string; name: string }[] }>(
        'SELECT clock, level, notified FROM case_escalations WHERE petition_id = $1 ORDER BY notified_at',
        [id],
      )
    ).rows;

  it('acceptance: ok, then due soon, then overdue, each escalated once, with who was told and an audit row', async () => {
    clock = cst('2026-11-02T10:00:00'); // Monday
    const b = body('xingsha');
    await petitions.submit(who.officer1, b);
    const wf = await cases.workflow(who.supervisor, b.id);
    expect(dueDay(wf.acceptDueAt)).toBe('2026-11-17'); // 15 calendar days

    expect((await job().sweep(cst('2026-11-13T10:00:00'))).escalated).toBe(0);
    expect((await cases.workflow(who.supervisor, b.id)).dueState).toBe('ok');

    const soon = await job().sweep(cst('2026-11-14T10:00:00')); // 3 days left
    expect(soon.escalated).toBe(1);
    expect((await cases.workflow(who.supervisor, b.id)).dueState).toBe('due_soon');

    const late = await job().sweep(cst('2026-11-18T00:00:01'));
    expect(late.escalated).toBe(1);
    const after = await cases.workflow(who.supervisor, b.id);
    expect(after.dueState).toBe('overdue');
    expect(after.escalations.map((e) => `${e.clock}:${e.level}`)).toEqual(['accept:due_soon', 'accept:overdue']);
    const overdue = after.escalations[1]!;
    expect(overdue.notified.map((n) => n.role)).toEqual(['county_supervisor']);
    expect(overdue.notifiedAt).toBe(cst('2026-11-18T00:00:01').toISOString());
    expect(after.escalations[0]!.notified.map((n) => n.role).sort()).toEqual(['county_officer', 'county_officer', 'county_supervisor']);
    const audited = await db.query(`SELECT 1 FROM audit_log WHERE action = 'case.escalate' AND object_id = $1`, [b.id]);
    expect(audited.rowCount).toBe(2);

    // Every node's alert bar learns of it, whichever node swept.
    const told: string[] = [];
    await new DeadlineJob(db, quietLog, now, (cases) => told.push(...cases.map((c) => c.caseCode))).publishOverdue();
    expect(told).toContain((await db.query<{ case_code: string }>('SELECT case_code FROM petitions WHERE id = $1', [b.id])).rows[0]!.case_code);

    // Running again, from any node, changes nothing.
    expect((await job().sweep(cst('2026-11-19T09:00:00'))).escalated).toBe(0);
    expect(await escalations(b.id)).toHaveLength(2);
  });

  it('two nodes sweeping at the same moment escalate a deadline once', async () => {
    clock = cst('2026-11-02T10:00:00');
    const b = body('langli');
    await petitions.submit(who.officer1, b);
    const at = cst('2026-12-01T09:00:00');
    const results = await Promise.all([job().sweep(at), job().sweep(at), job().sweep(at)]);
    expect(results.filter((r) => r.ran).length).toBeGreaterThanOrEqual(1);
    const rows = await escalations(b.id);
    expect(rows.map((r) => r.level)).toEqual(['overdue']);
  });

  it('handling on working days across a weekend, and an approved extension moves the deadline', async () => {
    await db.query(`UPDATE case_deadline_policy SET days = 5, counting = 'working', due_soon_days = 1 WHERE kind = 'conclude'`);
    try {
      clock = cst('2026-11-27T15:00:00'); // Friday
      const b = body('xingsha');
      await petitions.submit(who.officer1, b);
      const accepted = await cases.transition(who.officer1, b.id, { stepId: randomUUID(), action: 'accept', text: '' });
      expect(dueDay(accepted.concludeDueAt)).toBe('2026-12-04'); // Mon–Fri of the next week

      expect((await job().sweep(cst('2026-11-28T10:00:00'))).escalated).toBe(0); // Saturday: 5 working days left
      expect((await cases.workflow(who.supervisor, b.id)).dueState).toBe('ok');
      await job().sweep(cst('2026-12-03T10:00:00')); // Thursday: 1 left
      expect((await cases.workflow(who.supervisor, b.id)).dueState).toBe('due_soon');

      clock = cst('2026-12-03T11:00:00');
      await cases.transition(who.officer1, b.id, { stepId: randomUUID(), action: 'request_extension', days: 3, text: '需要调取银行流水' });
      const granted = await cases.transition(who.supervisor, b.id, { stepId: randomUUID(), action: 'decide_extension', approve: true, text: '' });
      expect(dueDay(granted.concludeDueAt)).toBe('2026-12-07'); // the extension counts calendar days by default

      await job().sweep(cst('2026-12-05T10:00:00')); // without the extension this would be overdue
      expect((await cases.workflow(who.supervisor, b.id)).dueState).toBe('due_soon');
      await job().sweep(cst('2026-12-08T00:00:00'));
      const late = await cases.workflow(who.supervisor, b.id);
      expect(late.dueState).toBe('overdue');
      // The extended deadline is a new deadline: it gets its own warning before it, too.
      const concluded = late.escalations.filter((e) => e.clock === 'conclude');
      expect(concluded.map((e) => `${e.level}:${dueDay(e.dueAt)}`)).toEqual(['due_soon:2026-12-04', 'due_soon:2026-12-07', 'overdue:2026-12-07']);
      // Closing the case stops its clock.
      clock = cst('2026-12-08T09:00:00');
      await cases.transition(who.officer1, b.id, { stepId: randomUUID(), action: 'report', text: '已查实并作出处理', attachmentIds: [] });
      const closed = await cases.transition(who.supervisor, b.id, { stepId: randomUUID(), action: 'approve', feedback: '您反映的问题已经处理', text: '' });
      expect(closed.status).toBe('closed');
      expect(closed.dueState).toBe('ok');
    } finally {
      await db.query(`UPDATE case_deadline_policy SET days = 60, counting = 'calendar', due_soon_days = 7 WHERE kind = 'conclude'`);
    }
  });
});
