import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, CaseStatsView, FollowUpCloseBody, parseOrBadRequest, ReceiptRatingBody, ReceiptStatusView, type Role } from '@vj/shared';
import type { Db } from '@vj/signaling';
import { verifyAuditChain } from '../../signaling/src/audit/verify.js';
import { CaseService } from '../../signaling/src/cases/case-service.js';
import { caseStats, statsCsv } from '../../signaling/src/cases/case-stats.js';
import { DeadlineJob } from '../../signaling/src/cases/deadline-job.js';
import { dayOf, isoDay } from '../../signaling/src/cases/deadline-clock.js';
import { SatisfactionService } from '../../signaling/src/cases/satisfaction-service.js';
import { loadRooms } from '../../signaling/src/db/seed.js';
import { LocalRateLimiter } from '../../signaling/src/http/rate-limit.js';
import { PetitionService } from '../../signaling/src/petitions/petition-service.js';
import { MAX_FAILURES, ReceiptLookup } from '../../signaling/src/petitions/receipts.js';
import { MasterKeys } from '../../signaling/src/security/crypto.js';
import type { Claims } from '../../signaling/src/security/jwt.js';
import { backends, migrated, quietLog } from '../helpers/backends.js';
import { seededClaims } from '../helpers/claims.js';
import { petitionBody, randomIdCard, importNationalDay2026 } from '../helpers/fixtures.js';

const cst = (local: string) => new Date(`${local}+08:00`);
const day = (d: Date | string | null | undefined) => (d ? isoDay(dayOf(new Date(d))) : null);
type Input = Parameters<PetitionService['submit']>[1];
const named = (township: string, over: Record<string, unknown> = {}) =>
  petitionBody(township, { name: '赵灵雀', idCard: randomIdCard(), phone: '13912345678', address: '', village: '' }, over) as Input;
const anonymous = (township: string, over: Record<string, unknown> = {}) => petitionBody(township, null, over) as Input;
const kioskAt = (room: string) =>
  ({ sub: randomUUID(), role: 'kiosk' as Role, name: room, room, exp: 0, iat: 0, aud: 'vj:kiosk', iss: 'vj-signaling' }) as unknown as Claims;
/** The villager's own words, which must stay in the rating row and never reach an audit row. */
const CANARY_WORDS = '办事员金翅雀说回家等消息';

describe.each(backends)('satisfaction ratings and follow-up tasks on $name', (backend) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  const who = {} as Record<'officer1' | 'supervisor', Claims>;
  let clock = cst('2026-09-01T09:00:00');
  let petitions: PetitionService;
  let cases: CaseService;
  let receipts: ReceiptLookup;
  let ratings: SatisfactionService;
  const kiosk = kioskAt('xingsha');
  const otherKiosk = kioskAt('langli');
  const step = () => ({ stepId: randomUUID() });
  const rate = (k: Claims, body: Record<string, unknown>) => ratings.rate(k, parseOrBadRequest(ReceiptRatingBody, body, 'rating'));
  /** Everything a rating may touch: a refusal must leave all of it as it was. */
  const snapshot = async () =>
    JSON.stringify({
      ratings: (await db.query('SELECT * FROM petition_ratings ORDER BY petition_id')).rows,
      tasks: (await db.query('SELECT * FROM follow_up_tasks ORDER BY id')).rows,
      attempts: (await db.query('SELECT device_id, case_code, failures, locked_until FROM receipt_attempts ORDER BY device_id, case_code')).rows,
      audit: (await db.query(`SELECT count(*) AS n FROM audit_log WHERE action <> 'receipt.lookup_failed'`)).rows[0],
    });
  async function refused(run: () => Promise<unknown>, code: string, message?: RegExp) {
    const before = await snapshot();
    const err = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe(code);
    expect((err as AppError).message).toMatch(/[\u4e00-\u9fff]/);
    if (message) expect((err as AppError).message).toMatch(message);
    expect(await snapshot()).toBe(before);
  }
  /** Submitted, handled by the county itself, reported and approved with feedback: concluded. */
  async function concluded(input: Input): Promise<{ id: string; caseCode: string; pin: string }> {
    const r = await petitions.submit(who.officer1, input);
    await cases.transition(who.officer1, input.id, { ...step(), action: 'accept', text: '' });
    await cases.transition(who.officer1, input.id, { ...step(), action: 'report', text: '经核查，反映问题部分属实', attachmentIds: [] });
    await cases.transition(who.supervisor, input.id, { ...step(), action: 'approve', feedback: '您反映的问题已经查实，相关人员已处理', text: '' });
    return { id: input.id, caseCode: r.caseCode, pin: r.pin };
  }

  beforeAll(async () => {
    ({ db, cleanup } = await migrated(backend));
    Object.assign(who, await seededClaims(db, ['officer1', 'supervisor'] as const));
    await importNationalDay2026(db);
    petitions = new PetitionService(db, MasterKeys.parse(MasterKeys.generateSpec(1)), { now: () => clock });
    cases = new CaseService(db, () => clock);
    receipts = new ReceiptLookup(db, new LocalRateLimiter());
    ratings = new SatisfactionService(db, receipts, () => clock);
  });
  afterAll(async () => cleanup?.());

  const m = {} as Record<'named' | 'anon' | 'appeal' | 'other', { id: string; caseCode: string; pin: string }>;

  it('a rating opens only once the matter is concluded and its result fed back; the kiosk lookup says so', async () => {
    clock = cst('2026-09-01T09:00:00');
    m.named = await concluded(named('xingsha'));
    m.anon = await concluded(anonymous('xingsha'));
    m.appeal = await concluded(anonymous('langli', { matterClass: 'appeal' }));
    const o = anonymous('xingsha', { matterClass: 'other', otherBody: '县人力资源和社会保障局' });
    const or = await petitions.submit(who.officer1, o);
    await cases.transition(who.officer1, o.id, { ...step(), action: 'forward_other', text: '' });
    m.other = { id: o.id, caseCode: or.caseCode, pin: or.pin };
    const open = await petitions.submit(who.officer1, anonymous('xingsha'));

    const state = async (c: { caseCode: string; pin: string }) => ReceiptStatusView.parse(await receipts.lookup(kiosk, c.caseCode, c.pin)).satisfaction;
    // A named accuser is owed the result notice: until it is given, the matter is not yet fed back.
    expect(await state(m.named)).toEqual({ state: 'not_yet', rating: null });
    await refused(() => rate(kiosk, { caseCode: m.named.caseCode, pin: m.named.pin, rating: 'satisfied' }), 'INVALID_STATE', /反馈处理结果后/);
    await cases.transition(who.officer1, m.named.id, { ...step(), action: 'notify_result', via: 'phone', text: '已电话告知处理结果' });
    expect(await state(m.named)).toEqual({ state: 'open', rating: null });
    // Anyone else reads the result at the kiosk: the feedback given when the matter closed.
    expect(await state(m.anon)).toEqual({ state: 'open', rating: null });
    expect(await state(m.appeal)).toEqual({ state: 'open', rating: null });
    expect(await state(m.other)).toEqual({ state: 'none', rating: null });
    expect(await state(open)).toEqual({ state: 'not_yet', rating: null });
    await refused(() => rate(kiosk, { caseCode: m.other.caseCode, pin: m.other.pin, rating: 'unsatisfied' }), 'INVALID_STATE', /其他单位/);
    await refused(() => rate(kiosk, { caseCode: open.caseCode, pin: open.pin, rating: 'basic' }), 'INVALID_STATE');
  });

  it('bad input is refused in Chinese before anything is read; a wrong PIN is refused and counted by the lookup’s lock-out', async () => {
    const body = { caseCode: m.anon.caseCode, pin: m.anon.pin, rating: 'unsatisfied' };
    for (const bad of [
      { ...body, rating: 'great' },
      { ...body, rating: '' },
      { ...body, reasons: ['unresolved', 'unresolved'] },
      { ...body, reasons: ['rude'] },
      { ...body, text: '字'.repeat(201) },
      { ...body, pin: '12345' },
      { ...body, caseCode: 'abc' },
    ]) {
      await refused(async () => rate(kiosk, bad), 'BAD_REQUEST');
    }
    const wrong = m.anon.pin === '000000' ? '000001' : '000000';
    const before = await snapshot();
    await expect(rate(kiosk, { ...body, pin: wrong })).rejects.toMatchObject({ code: 'NOT_FOUND', message: '查询号或密码不正确，请核对后重新输入' });
    const failures = await db.query<{ failures: number }>('SELECT failures FROM receipt_attempts WHERE device_id = $1 AND case_code = $2', [
      kiosk.sub,
      m.anon.caseCode,
    ]);
    expect(failures.rows[0]?.failures).toBe(1);
    // A lookup's failures and a rating's are one count: four more wrong PINs by lookup lock the pair.
    for (let i = 1; i < MAX_FAILURES; i++) await expect(receipts.lookup(kiosk, m.anon.caseCode, wrong)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(rate(kiosk, body)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(JSON.parse(await snapshot()).ratings).toEqual(JSON.parse(before).ratings);
    // Only that kiosk waits: the villager's right PIN works from another.
    await db.query('DELETE FROM receipt_attempts WHERE device_id = $1', [kiosk.sub]);
  });

  it('不满意 opens a follow-up task due 10 working days later across the national holiday; once only; audited without the words', async () => {
    clock = cst('2026-09-30T09:00:00'); // the Wednesday before 国庆
    const answer = await rate(otherKiosk, {
      caseCode: m.anon.caseCode,
      pin: m.anon.pin,
      rating: 'unsatisfied',
      reasons: ['unresolved', 'slow'],
      text: CANARY_WORDS,
    });
    expect(answer).toEqual({ rating: 'unsatisfied', ratedAt: clock.toISOString() });
    const task = await db.query<{ id: string; due_at: Date; opened_at: Date; closed_at: Date | null }>(
      'SELECT id, due_at, opened_at, closed_at FROM follow_up_tasks WHERE petition_id = $1',
      [m.anon.id],
    );
    expect(task.rows).toHaveLength(1);
    // 9 (Fri), 10 (worked Saturday), 12–16, 19, 20, 21 October: the tenth working day.
    expect(day(task.rows[0]!.due_at)).toBe('2026-10-21');
    const stored = await db.query<{ rating: string; reasons: string[]; reason_text: string }>(
      'SELECT rating, reasons, reason_text FROM petition_ratings WHERE petition_id = $1',
      [m.anon.id],
    );
    expect(stored.rows[0]).toEqual({ rating: 'unsatisfied', reasons: ['unresolved', 'slow'], reason_text: CANARY_WORDS });

    const audit = await db.query<{ actor_id: string; actor_role: string; object_id: string; details: Record<string, unknown> }>(
      `SELECT actor_id, actor_role, object_id, details FROM audit_log WHERE action = 'receipt.rate'`,
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]).toMatchObject({ actor_id: otherKiosk.sub, actor_role: 'kiosk', object_id: m.anon.id });
    expect(audit.rows[0]!.details).toMatchObject({ rating: 'unsatisfied', reasons: 'unresolved,slow', withText: true, followUpTaskId: task.rows[0]!.id });
    expect(JSON.stringify(audit.rows)).not.toContain(CANARY_WORDS);

    // One rating per matter, whichever kiosk and whatever the rating: refused politely, nothing changed.
    await refused(() => rate(kiosk, { caseCode: m.anon.caseCode, pin: m.anon.pin, rating: 'satisfied' }), 'CONFLICT', /已经评价过/);
    expect(ReceiptStatusView.parse(await receipts.lookup(kiosk, m.anon.caseCode, m.anon.pin)).satisfaction).toEqual({ state: 'given', rating: 'unsatisfied' });

    // 满意 and 基本满意 open no task.
    await rate(kiosk, { caseCode: m.named.caseCode, pin: m.named.pin, rating: 'satisfied' });
    await rate(kiosk, { caseCode: m.appeal.caseCode, pin: m.appeal.pin, rating: 'basic', reasons: ['slow'] });
    expect((await db.query('SELECT petition_id FROM follow_up_tasks')).rows).toEqual([{ petition_id: m.anon.id }]);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('the deadline sweep raises an open task when due soon and when overdue, once each', async () => {
    const job = new DeadlineJob(db, quietLog, () => clock);
    const raised = async () =>
      (await db.query<{ details: Record<string, unknown> }>(`SELECT details FROM audit_log WHERE action = 'follow_up.escalate' ORDER BY seq`)).rows.map(
        (r) => r.details['level'],
      );
    const stateOf = async () =>
      (await db.query<{ due_state: string }>('SELECT due_state FROM follow_up_tasks WHERE petition_id = $1', [m.anon.id])).rows[0]!.due_state;
    await job.sweep(cst('2026-10-14T09:00:00'));
    expect([await stateOf(), await raised()]).toEqual(['ok', []]);
    await job.sweep(cst('2026-10-20T09:00:00')); // one working day left
    expect([await stateOf(), await raised()]).toEqual(['due_soon', ['due_soon']]);
    await job.sweep(cst('2026-10-21T23:59:00'));
    expect(await raised()).toEqual(['due_soon']);
    await job.sweep(cst('2026-10-22T00:00:01'));
    expect([await stateOf(), await raised()]).toEqual(['overdue', ['due_soon', 'overdue']]);
    await job.sweep(cst('2026-10-23T09:00:00'));
    expect(await raised()).toEqual(['due_soon', 'overdue']);
  });

  it('the county lists the task; a supervisor closes it with a note; others are refused and nothing changes', async () => {
    clock = cst('2026-10-23T10:00:00');
    const [listed] = await ratings.list('open', who.supervisor.sub);
    expect(listed).toMatchObject({
      petitionId: m.anon.id,
      caseCode: m.anon.caseCode,
      townshipCode: 'xingsha',
      rating: 'unsatisfied',
      reasons: ['unresolved', 'slow'],
      reasonText: CANARY_WORDS,
      dueState: 'overdue',
      closedAt: null,
    });
    const id = listed!.id;
    await refused(() => ratings.close(who.officer1, id, '已电话回访，群众表示理解'), 'FORBIDDEN');
    await refused(
      async () => ratings.close(who.supervisor, id, parseOrBadRequest(FollowUpCloseBody, { note: '已回访' }, 'note').note),
      'BAD_REQUEST',
      /至少 5 个字/,
    );
    await refused(() => ratings.close(who.supervisor, randomUUID(), '已电话回访，群众表示理解'), 'NOT_FOUND');

    const closed = await ratings.close(who.supervisor, id, '已电话回访，群众表示理解，复核意见维持原处理');
    expect(closed).toMatchObject({
      closedAt: clock.toISOString(),
      closedBy: expect.any(String),
      closeNote: '已电话回访，群众表示理解，复核意见维持原处理',
      dueState: 'overdue',
    });
    expect(await ratings.list('open', who.supervisor.sub)).toEqual([]);
    expect((await ratings.list('closed', who.supervisor.sub)).map((t) => t.id)).toEqual([id]);
    await refused(() => ratings.close(who.supervisor, id, '再办结一次试试看'), 'INVALID_STATE', /已经办结/);
    const audit = await db.query<{ actor_id: string; details: Record<string, unknown> }>(
      `SELECT actor_id, details FROM audit_log WHERE action = 'follow_up.close'`,
    );
    expect(audit.rows).toEqual([{ actor_id: who.supervisor.sub, details: { taskId: id, late: true } }]);
    // A closed task is no longer raised by the sweep.
    await new DeadlineJob(db, quietLog, () => clock).sweep(cst('2026-11-30T09:00:00'));
    expect(Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_log WHERE action = 'follow_up.escalate'`)).rows[0]!.n)).toBe(2);
  });

  it('statistics count ratings per township of the matter, with the share satisfied; the CSV carries counts only', async () => {
    const rooms = loadRooms().rooms;
    const stats = CaseStatsView.parse(await caseStats(db, 12, clock, rooms));
    expect(stats.ratings).toEqual(
      [
        { townshipCode: 'xingsha', satisfied: 1, basic: 0, unsatisfied: 1 },
        { townshipCode: 'langli', satisfied: 0, basic: 1, unsatisfied: 0 },
      ].sort((a, b) => rooms.findIndex((r) => r.code === a.townshipCode) - rooms.findIndex((r) => r.code === b.townshipCode)),
    );
    const names = new Map(rooms.map((r) => [r.code, r.name]));
    const csv = statsCsv(stats, (c) => names.get(c) ?? c);
    const lines = csv.split('\r\n');
    const head = lines.indexOf('满意度评价：乡镇,乡镇代码,满意,基本满意,不满意,评价总数,满意率（含基本满意，%）');
    expect(head).toBeGreaterThan(0);
    expect(lines).toContain(`${names.get('xingsha')},xingsha,1,0,1,2,50`);
    expect(lines).toContain(`${names.get('langli')},langli,0,1,0,1,100`);
    expect(lines).toContain('合计,,1,1,1,3,66.7');
    for (const c of [m.anon, m.named, m.appeal]) expect(csv).not.toContain(c.caseCode);
    expect(csv).not.toContain(CANARY_WORDS);
  });
});
