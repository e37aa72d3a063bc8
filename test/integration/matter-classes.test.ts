import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PetitionSubmitBody, type Role } from '@vj/shared';
import { IntegrityKeys, migrate, type Db } from '@vj/signaling';
import { verifyAuditChain } from '../../signaling/src/audit/verify.js';
import { loadPolicy, needRule, policyView, savePolicy } from '../../signaling/src/cases/case-policy.js';
import { CaseService } from '../../signaling/src/cases/case-service.js';
import { CLOCK_RULES, recomputeClocks } from '../../signaling/src/cases/clock-recompute.js';
import { DeadlineJob } from '../../signaling/src/cases/deadline-job.js';
import { dayOf, isoDay } from '../../signaling/src/cases/deadline-clock.js';
import { noticesDue } from '../../signaling/src/cases/notice-list.js';
import { LocalRateLimiter } from '../../signaling/src/http/rate-limit.js';
import { PetitionService } from '../../signaling/src/petitions/petition-service.js';
import { ReceiptLookup } from '../../signaling/src/petitions/receipts.js';
import { MasterKeys } from '../../signaling/src/security/crypto.js';
import type { Claims } from '../../signaling/src/security/jwt.js';
import { backends, migrated, quietLog } from '../helpers/backends.js';
import { seededClaims } from '../helpers/claims.js';
import { petitionBody, randomIdCard, caseSnapshot, importNationalDay2026 } from '../helpers/fixtures.js';
import { migrationsBefore } from '../helpers/migrations.js';

const cst = (local: string) => new Date(`${local}+08:00`);
const day = (d: Date | string | null | undefined) => (d ? isoDay(dayOf(new Date(d))) : null);
type Input = Parameters<PetitionService['submit']>[1];
const named = (township: string, over: Record<string, unknown> = {}) =>
  petitionBody(township, { name: '王某', idCard: randomIdCard(), phone: '13912345678', address: '', village: '' }, over) as Input;
const anonymous = (township: string, over: Record<string, unknown> = {}) => petitionBody(township, null, over) as Input;
const kiosk = {
  sub: randomUUID(),
  role: 'kiosk' as Role,
  name: 'k',
  room: 'xingsha',
  exp: 0,
  iat: 0,
  aud: 'vj:kiosk',
  iss: 'vj-signaling',
} as unknown as Claims;

describe.each(backends)('matter classes, their clocks and the named-accuser notices on $name', (backend) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  const who = {} as Record<'officer1' | 'supervisor' | 'xingsha-handler', Claims>;
  let clock = cst('2026-09-30T09:00:00');
  let petitions: PetitionService;
  let cases: CaseService;
  let receipts: ReceiptLookup;
  const step = () => ({ stepId: randomUUID() });
  const snapshot = (id: string) => caseSnapshot(db, id);

  beforeAll(async () => {
    ({ db, cleanup } = await migrated(backend));
    Object.assign(who, await seededClaims(db, ['officer1', 'supervisor', 'xingsha-handler'] as const));
    await importNationalDay2026(db);
    petitions = new PetitionService(db, MasterKeys.parse(MasterKeys.generateSpec(1)), { now: () => clock });
    cases = new CaseService(db, () => clock);
    receipts = new ReceiptLookup(db, new LocalRateLimiter());
  });
  afterAll(async () => cleanup?.());

  it('the policy table holds every class’s clocks, each with the rule its default comes from', async () => {
    const view = await policyView(db);
    const keys = view.rows.map((r) => `${r.matterClass}.${r.kind}:${r.days}${r.counting === 'working' ? 'w' : 'c'}`);
    expect(keys).toEqual([
      'accusation.accept:5w',
      'accusation.conclude:60c',
      'accusation.extension:30c',
      'accusation.notice_accept:15w',
      'accusation.notice_result:15w',
      'accusation.progress:90c',
      'accusation.follow_up:10w',
      'appeal.accept:15c',
      'appeal.conclude:60c',
      'appeal.extension:30c',
      'appeal.review:30c',
      'appeal.recheck:30c',
      'appeal.progress:90c',
      'appeal.follow_up:10w',
      'suggestion.accept:15c',
      'suggestion.conclude:60c',
      'suggestion.extension:30c',
      'suggestion.review:30c',
      'suggestion.recheck:30c',
      'suggestion.progress:90c',
      'suggestion.follow_up:10w',
      'other.accept:15c',
    ]);
    expect(
      view.rows
        .filter((r) => r.kind.startsWith('notice_') || (r.matterClass === 'accusation' && r.kind === 'accept'))
        .every((r) => r.source.includes('《纪检监察机关处理检举控告工作规则》')),
    ).toBe(true);
    expect(
      view.rows
        .filter((r) => r.matterClass === 'appeal' && r.kind !== 'progress' && r.kind !== 'follow_up')
        .every((r) => r.source.includes('《信访工作条例》') && r.source.includes('按自然日计算')),
    ).toBe(true);
    // No rule sets the follow-up of a 不满意 rating: the row says it is a local rule.
    expect(view.rows.filter((r) => r.kind === 'follow_up').every((r) => r.source.startsWith('本地规定（可由管理员调整）'))).toBe(true);
    expect(view.rows.every((r) => r.defaultDays === r.days && r.defaultCounting === r.counting)).toBe(true);
  });

  it('a supervisor’s change is audited with it; an unknown row or a bad number changes nothing', async () => {
    const version = async () => (await db.query<{ version: string }>('SELECT version FROM case_policy_version')).rows[0]!.version;
    const audits = async () => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_log WHERE action = 'case.policy'`)).rows[0]!.n);
    const [v0, a0] = [await version(), await audits()];
    const row = { matterClass: 'accusation' as const, kind: 'notice_accept' as const, days: 10, counting: 'working' as const, dueSoonDays: 2, maxCount: 1 };
    await expect(savePolicy(db, who.supervisor, { rows: [row, { ...row, matterClass: 'other', kind: 'conclude' }] })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect([await version(), await audits()]).toEqual([v0, a0]);
    expect(needRule(await loadPolicy(db), 'accusation', 'notice_accept').days).toBe(15);

    await savePolicy(db, who.supervisor, { rows: [row] });
    expect(needRule(await loadPolicy(db), 'accusation', 'notice_accept').days).toBe(10);
    const audit = await db.query<{ details: Record<string, unknown> }>(`SELECT details FROM audit_log WHERE action = 'case.policy' ORDER BY seq DESC LIMIT 1`);
    expect(audit.rows[0]!.details['accusation.notice_accept']).toBe('10w');
    await savePolicy(db, who.supervisor, { rows: [{ ...row, days: 15, dueSoonDays: 3 }] });
  });

  it('a named accusation: 5 working days to accept, told within 15 of receipt, the result within 15 of conclusion; the kiosk shows the notices', async () => {
    clock = cst('2026-09-30T09:00:00'); // Wednesday before the national holiday
    const b = named('xingsha', { matterClass: 'accusation' });
    const receipt = await petitions.submit(who.officer1, b);
    let wf = await cases.workflow(who.supervisor, b.id);
    expect([wf.matterClass, wf.named, wf.route]).toEqual(['accusation', true, null]);
    expect(day(wf.acceptDueAt)).toBe('2026-10-14'); // 9, 10 (worked Saturday), 12, 13, 14 October
    expect(day(wf.notices?.acceptDueAt)).toBe('2026-10-28');
    expect(await noticesDue(db, clock, who.officer1.sub)).toEqual([]); // nothing to tell before the decision

    clock = cst('2026-10-09T10:00:00');
    wf = await cases.transition(who.officer1, b.id, { ...step(), action: 'refer', text: '', handlerId: null });
    expect(wf.route).toBe('jiaoban');
    const due = (at: Date) =>
      noticesDue(db, at, who.officer1.sub).then((l) => l.filter((n) => n.id === b.id).map((n) => `${n.kind}:${n.dueState}:${day(n.dueAt)}`));
    expect(await due(clock)).toEqual(['accept:ok:2026-10-28']);
    expect(await due(cst('2026-10-26T09:00:00'))).toEqual(['accept:due_soon:2026-10-28']); // 3 working days left
    expect(await due(cst('2026-10-29T00:00:01'))).toEqual(['accept:overdue:2026-10-28']);

    // The township never learns the accuser gave a name: no flag, no notices, no notice steps.
    clock = cst('2026-10-12T09:00:00');
    await cases.transition(who.officer1, b.id, { ...step(), action: 'notify_accept', via: 'phone', text: '您的检举已受理，已交镇纪委办理' });
    expect(await due(clock)).toEqual([]);
    await expect(cases.transition(who.officer1, b.id, { ...step(), action: 'notify_accept', via: 'phone', text: '再告知一次试试' })).rejects.toMatchObject({
      code: 'INVALID_STATE',
      message: '已告知过受理情况',
    });
    const township = await cases.workflow(who['xingsha-handler'], b.id);
    expect([township.named, township.notices]).toEqual([null, null]);
    expect(township.steps.map((s) => s.action)).toEqual(['refer']);

    await cases.transition(who['xingsha-handler'], b.id, { ...step(), action: 'township_accept', text: '' });
    await cases.transition(who['xingsha-handler'], b.id, { ...step(), action: 'report', text: '经核查，反映问题部分属实', attachmentIds: [] });
    clock = cst('2026-12-18T16:00:00'); // concluded on a Friday
    wf = await cases.transition(who.supervisor, b.id, { ...step(), action: 'approve', feedback: '您反映的问题已经查实并处理', text: '' });
    expect(day(wf.notices?.resultDueAt)).toBe('2027-01-08');
    expect(await due(clock)).toEqual(['result:ok:2027-01-08']);
    await expect(
      cases.transition(who.officer1, b.id, { ...step(), action: 'record_response', response: 'no_objection', text: '无异议' }),
    ).rejects.toMatchObject({ code: 'INVALID_STATE' });

    clock = cst('2026-12-21T10:00:00');
    await cases.transition(who.officer1, b.id, { ...step(), action: 'notify_result', via: 'in_person', text: '经核查部分属实，已对相关人员作出处理' });
    expect(await due(clock)).toEqual(['response:ok:null']);
    wf = await cases.transition(who.officer1, b.id, { ...step(), action: 'record_response', response: 'objection', text: '认为处理偏轻，已向其说明依据' });
    expect([wf.notices?.response, wf.notices?.responseText]).toEqual(['objection', '认为处理偏轻，已向其说明依据']);
    expect(await due(clock)).toEqual([]);

    const seen = await receipts.lookup(kiosk, receipt.caseCode, receipt.pin);
    expect(seen.matterClass).toBe('accusation');
    expect(seen.notices.map((n) => `${n.kind}:${n.via}:${n.text}`)).toEqual([
      'accept:phone:您的检举已受理，已交镇纪委办理',
      'result:in_person:经核查部分属实，已对相关人员作出处理',
    ]);
    expect(JSON.stringify(seen)).not.toContain('偏轻'); // the accuser's own response is the county's record, not the kiosk's
    const audited = await db.query<{ action: string }>(`SELECT action FROM audit_log WHERE object_id = $1 AND action LIKE 'case.%' ORDER BY seq`, [b.id]);
    expect(audited.rows.map((r) => r.action)).toEqual([
      'case.refer',
      'case.notify_accept',
      'case.township_accept',
      'case.report',
      'case.approve',
      'case.notify_result',
      'case.record_response',
    ]);
  });

  it('an anonymous accusation owes no notice, and asking for one changes nothing', async () => {
    clock = cst('2026-11-02T10:00:00');
    const b = anonymous('xingsha');
    await petitions.submit(who.officer1, b);
    await cases.transition(who.officer1, b.id, { ...step(), action: 'accept', text: '' });
    const wf = await cases.workflow(who.supervisor, b.id);
    expect([wf.named, wf.notices, day(wf.acceptDueAt)]).toEqual([false, null, '2026-11-09']);
    const before = await snapshot(b.id);
    await expect(cases.transition(who.officer1, b.id, { ...step(), action: 'notify_accept', via: 'phone', text: '试图告知匿名者' })).rejects.toMatchObject({
      code: 'INVALID_STATE',
      message: '匿名检举控告没有告知和反馈的要求',
    });
    expect(await snapshot(b.id)).toBe(before);
    expect((await noticesDue(db, clock, who.officer1.sub)).some((n) => n.id === b.id)).toBe(false);
  });

  it('申诉 keeps the 《信访工作条例》 clock: 15 days to decide, 60 to handle, counted in calendar days', async () => {
    clock = cst('2026-09-30T09:00:00');
    const b = named('xingsha', { matterClass: 'appeal' });
    await petitions.submit(who.officer1, b);
    let wf = await cases.workflow(who.supervisor, b.id);
    expect([wf.matterClass, wf.notices, day(wf.acceptDueAt)]).toEqual(['appeal', null, '2026-10-15']);
    clock = cst('2026-10-09T10:00:00');
    wf = await cases.transition(who.officer1, b.id, { ...step(), action: 'accept', text: '' });
    expect(day(wf.concludeDueAt)).toBe('2026-12-08');
  });

  it('申诉: a 复查 on request within 30 days, then a 复核 within 30, each swept and escalated once, the opinions shown at the kiosk', async () => {
    clock = cst('2026-11-02T10:00:00');
    const b = named('xingsha', { matterClass: 'appeal' });
    const receipt = await petitions.submit(who.officer1, b);
    await cases.transition(who.officer1, b.id, { ...step(), action: 'accept', text: '' });
    await cases.transition(who.officer1, b.id, { ...step(), action: 'report', text: '经调查，处分决定事实清楚', attachmentIds: [] });
    await cases.transition(who.supervisor, b.id, { ...step(), action: 'approve', feedback: '经审查，维持原处分决定', text: '' });
    await expect(cases.transition(who.officer1, b.id, { ...step(), action: 'request_recheck', text: '直接申请复核' })).rejects.toMatchObject({
      code: 'INVALID_STATE',
      message: '复查意见作出后才能申请复核',
    });

    clock = cst('2026-12-01T10:00:00');
    let wf = await cases.transition(who.officer1, b.id, { ...step(), action: 'request_review', text: '对处理意见不服' });
    expect(day(wf.review?.dueAt)).toBe('2026-12-31');
    const job = new DeadlineJob(db, quietLog, () => clock);
    await job.sweep(cst('2026-12-29T10:00:00')); // 2 days left: due soon
    await job.sweep(cst('2027-01-01T00:00:01')); // overdue
    await job.sweep(cst('2027-01-02T09:00:00')); // again: nothing new
    wf = await cases.workflow(who.supervisor, b.id);
    expect(wf.status).toBe('closed');
    expect(wf.dueState).toBe('overdue');
    expect(wf.escalations.map((e) => `${e.clock}:${e.level}:${day(e.dueAt)}`)).toEqual(['review:due_soon:2026-12-31', 'review:overdue:2026-12-31']);
    // A 复查 is the county's own work: the overdue warning goes to the county's supervisors.
    expect(wf.escalations[1]!.notified.map((n) => n.role)).toEqual(['county_supervisor']);

    clock = cst('2027-01-04T10:00:00');
    wf = await cases.transition(who.supervisor, b.id, { ...step(), action: 'decide_review', opinion: '经复查，维持原处理意见', text: '' });
    expect(wf.dueState).toBe('ok');
    wf = await cases.transition(who.officer1, b.id, { ...step(), action: 'request_recheck', text: '对复查意见不服' });
    expect(day(wf.recheck?.dueAt)).toBe('2027-02-03');
    await cases.transition(who.supervisor, b.id, { ...step(), action: 'decide_recheck', opinion: '经复核，维持复查意见', text: '' });
    await expect(cases.transition(who.officer1, b.id, { ...step(), action: 'request_recheck', text: '再次申请' })).rejects.toMatchObject({
      code: 'INVALID_STATE',
    });

    const seen = await receipts.lookup(kiosk, receipt.caseCode, receipt.pin);
    expect(seen.reviews.map((r) => `${r.kind}:${r.opinion}`)).toEqual(['review:经复查，维持原处理意见', 'recheck:经复核，维持复查意见']);
    // An accusation has neither.
    const acc = named('xingsha');
    await petitions.submit(who.officer1, acc);
    await expect(cases.transition(who.officer1, acc.id, { ...step(), action: 'request_review', text: '申请复查' })).rejects.toMatchObject({
      code: 'INVALID_STATE',
    });
  });

  it('其他: the body that handles it is required, it is never accepted or referred, and the kiosk tells the villager where to go', async () => {
    const missing = PetitionSubmitBody.safeParse(petitionBody('xingsha', null, { matterClass: 'other' }));
    expect(missing.success).toBe(false);
    expect(missing.error?.issues.map((i) => `${i.path.join('.')}:${i.message}`)).toEqual(['otherBody:“其他”类事项须写明由哪个单位办理']);
    const stray = PetitionSubmitBody.safeParse(petitionBody('xingsha', null, { matterClass: 'appeal', otherBody: '县信访局' }));
    expect(stray.error?.issues.map((i) => i.message)).toEqual(['只有“其他”类事项才填写办理单位']);

    clock = cst('2026-11-02T10:00:00');
    const b = named('xingsha', { matterClass: 'other', otherBody: '县人社局劳动监察大队' });
    const receipt = await petitions.submit(who.officer1, b);
    const before = await snapshot(b.id);
    for (const action of ['accept', 'refer'] as const) {
      await expect(
        cases.transition(who.officer1, b.id, { ...step(), action, text: '', ...(action === 'refer' ? { handlerId: null } : {}) } as never),
      ).rejects.toMatchObject({
        code: 'INVALID_STATE',
        message: '该事项不属于纪检监察机关受理范围，只能告知并转有关单位',
      });
    }
    expect(await snapshot(b.id)).toBe(before);
    const wf = await cases.transition(who.officer1, b.id, { ...step(), action: 'forward_other', text: '已当面告知' });
    expect(wf.status).toBe('closed');
    const seen = await receipts.lookup(kiosk, receipt.caseCode, receipt.pin);
    expect([seen.matterClass, seen.otherBody, seen.notices]).toEqual(['other', '县人社局劳动监察大队', []]);
  });
});

describe.each(backends)('existing cases migrate to 检举控告 and their clocks are recomputed, audited, on $name', (backend) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let dir: string;

  beforeAll(async () => {
    ({ db, cleanup } = await backend.open());
    dir = migrationsBefore('0020');
    await migrate(db, quietLog, dir);
    db.integrity = IntegrityKeys.ephemeral();
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await cleanup?.();
  });

  it('referred cases become 交办, the 信访 rules in force stay 申诉’s, every clock is recomputed with an audit row, once', async () => {
    const who = await seededClaims(db, ['officer1'] as const);
    // A supervisor had lengthened the acceptance period before the upgrade: that edit must survive on the 信访 track.
    await db.query(`UPDATE case_deadline_policy SET days = 20 WHERE kind = 'accept'`);
    const old = async (status: string, side: string | null, anon: boolean, created: string, closed: string | null) => {
      const id = randomUUID();
      await db.query(
        `INSERT INTO petitions (id, case_code, pin_hash, request_digest, township_code, category, narrative, anonymous, created_by, status, handler_side, created_at, updated_at, decided_at,
                                accept_due_at, conclude_due_at, closed_at)
         VALUES ($1, $2, 'x', 'x', 'xingsha', '工作作风', '迁移前的信访件', $3, $4, $5, $6, $7, $7, CASE WHEN $6::text IS NULL THEN NULL ELSE $7::timestamptz END,
                 $7::timestamptz + interval '15 days', CASE WHEN $6::text IS NULL THEN NULL ELSE $7::timestamptz + interval '60 days' END, $8)`,
        [id, String(Math.floor(Math.random() * 1e10)).padStart(10, '0'), anon, who.officer1.sub, status, side, cst(created), closed ? cst(closed) : null],
      );
      return id;
    };
    const received = await old('received', null, false, '2026-11-02T10:00:00', null);
    const referred = await old('handling', 'township', true, '2026-11-05T16:00:00', null);
    const closed = await old('closed', 'county', false, '2026-09-01T09:00:00', '2026-12-18T16:00:00');

    await migrate(db, quietLog); // 0020 and anything after it
    const rows = async () =>
      (
        await db.query<{
          id: string;
          matter_class: string;
          route: string | null;
          clock_rules: number;
          accept_due_at: Date;
          notice_accept_due_at: Date | null;
          notice_result_due_at: Date | null;
        }>('SELECT id, matter_class, route, clock_rules, accept_due_at, notice_accept_due_at, notice_result_due_at FROM petitions')
      ).rows;
    const byId = async () => new Map((await rows()).map((r) => [r.id, r]));
    let m = await byId();
    expect([...m.values()].map((r) => r.matter_class)).toEqual(['accusation', 'accusation', 'accusation']);
    expect([m.get(received)!.route, m.get(referred)!.route, m.get(closed)!.route]).toEqual([null, 'jiaoban', null]);
    expect([...m.values()].every((r) => r.clock_rules === 0)).toBe(true);
    const policy = await loadPolicy(db);
    expect(needRule(policy, 'appeal', 'accept').days).toBe(20);
    expect(needRule(policy, 'suggestion', 'accept').days).toBe(20);
    expect(needRule(policy, 'accusation', 'accept')).toMatchObject({ days: 5, counting: 'working' });

    const auditBefore = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM audit_log')).rows[0]!.n);
    expect(await recomputeClocks(db, quietLog, () => cst('2026-11-06T10:00:00'))).toBe(3);
    m = await byId();
    expect(day(m.get(received)!.accept_due_at)).toBe('2026-11-09'); // was 17 November under the old 15 calendar days
    expect(day(m.get(received)!.notice_accept_due_at)).toBe('2026-11-23');
    expect(day(m.get(referred)!.accept_due_at)).toBe('2026-11-12');
    expect(m.get(referred)!.notice_accept_due_at).toBeNull(); // anonymous
    // Concluded before the rules: nobody recorded whether its accuser was told, so no notice is owed for it, and the
    // feedback screen does not open on years of past cases, all overdue.
    expect(m.get(closed)!.notice_result_due_at).toBeNull();
    expect(m.get(closed)!.notice_accept_due_at).toBeNull();
    expect(await noticesDue(db, cst('2027-03-01T10:00:00'), who.officer1.sub)).toEqual([]);
    expect([...m.values()].every((r) => r.clock_rules === CLOCK_RULES)).toBe(true);
    // The open 交办 matter owes its first progress report a quarter after its decision (migration 0024).
    const progress = await db.query<{ id: string; progress_due_at: Date | null }>('SELECT id, progress_due_at FROM petitions');
    expect(Object.fromEntries(progress.rows.map((r) => [r.id, day(r.progress_due_at)]))).toEqual({
      [received]: null,
      [referred]: '2027-02-03',
      [closed]: null,
    });

    const audit = await db.query<{ object_id: string; details: Record<string, string | null> }>(
      `SELECT object_id, details FROM audit_log WHERE action = 'case.clocks_recomputed' ORDER BY seq`,
    );
    expect(audit.rows.map((r) => r.object_id).sort()).toEqual([received, referred, closed].sort());
    const r0 = audit.rows.find((r) => r.object_id === received)!.details;
    expect([day(r0['acceptDueWas']), day(r0['acceptDue']), r0['matterClass']]).toEqual(['2026-11-17', '2026-11-09', 'accusation']);
    expect(day(audit.rows.find((r) => r.object_id === referred)!.details['progressDue'])).toBe('2027-02-03');
    expect(Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM audit_log')).rows[0]!.n)).toBe(auditBefore + 3);
    expect((await verifyAuditChain(db)).ok).toBe(true);

    // Again (another node, the next start): nothing left to do, nothing audited.
    expect(await recomputeClocks(db, quietLog)).toBe(0);
    expect(Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM audit_log')).rows[0]!.n)).toBe(auditBefore + 3);
  });
});
