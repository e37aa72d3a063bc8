import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, CaseStatsView, CaseTransitionBody, CaseWorkflowView, dispositionTotals, parseOrBadRequest, type Role } from '@vj/shared';
import type { Db } from '@vj/signaling';
import { verifyAuditChain } from '../../signaling/src/audit/verify.js';
import { CaseService } from '../../signaling/src/cases/case-service.js';
import { caseStats, statsCsv } from '../../signaling/src/cases/case-stats.js';
import { DeadlineJob } from '../../signaling/src/cases/deadline-job.js';
import { dayOf, isoDay } from '../../signaling/src/cases/deadline-clock.js';
import { loadRooms } from '../../signaling/src/db/seed.js';
import { PetitionService } from '../../signaling/src/petitions/petition-service.js';
import { MasterKeys } from '../../signaling/src/security/crypto.js';
import type { Claims } from '../../signaling/src/security/jwt.js';
import { backends, migrated, quietLog } from '../helpers/backends.js';
import { seededClaims } from '../helpers/claims.js';
import { petitionBody, randomIdCard, caseSnapshot } from '../helpers/fixtures.js';

const cst = (local: string) => new Date(`${local}+08:00`);
const day = (d: Date | string | null | undefined) => (d ? isoDay(dayOf(new Date(d))) : null);
type Input = Parameters<PetitionService['submit']>[1];
const CANARY_NAME = '王灵雀';
const CANARY_REASON = '线索来源可靠红隼七号';
const named = (township: string, over: Record<string, unknown> = {}) =>
  petitionBody(township, { name: CANARY_NAME, idCard: randomIdCard(), phone: '13912345678', address: '', village: '' }, over) as Input;
const anonymous = (township: string, over: Record<string, unknown> = {}) => petitionBody(township, null, over) as Input;
type Who = 'officer1' | 'supervisor' | 'xingsha-handler' | 'xingsha-staff';

describe.each(backends)('问题线索处置: decisions, outcomes, the 暂存待查 review, statistics on $name', (backend) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  const who = {} as Record<Who, Claims>;
  let clock = cst('2026-11-02T10:00:00'); // a Monday
  let petitions: PetitionService;
  let cases: CaseService;
  const step = () => ({ stepId: randomUUID() });
  const snapshot = (id: string) => caseSnapshot(db, id);
  /** A refusal: the code and the Chinese message, and nothing changed. */
  async function refused(id: string, actor: Claims, body: Record<string, unknown>, code: string, message?: RegExp) {
    const before = await snapshot(id);
    const err = await cases.transition(actor, id, { ...step(), ...body } as never).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err, JSON.stringify(body)).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe(code);
    // (A case a township may not see is "not found", as everywhere else.)
    if (code !== 'NOT_FOUND') expect((err as AppError).message).toMatch(/[\u4e00-\u9fff]/);
    if (message) expect((err as AppError).message).toMatch(message);
    expect(await snapshot(id)).toBe(before);
  }
  /** An accusation the county accepted. */
  async function accepted(input: Input = named('xingsha')): Promise<string> {
    await petitions.submit(who.officer1, input);
    await cases.transition(who.officer1, input.id, { ...step(), action: 'accept', text: '' });
    return input.id;
  }
  const decide = (id: string, disposition: string, reason: string, reviewOn?: string) =>
    cases.transition(who.supervisor, id, { ...step(), action: 'decide_disposition', disposition, reason, ...(reviewOn ? { reviewOn } : {}) } as never);

  beforeAll(async () => {
    ({ db, cleanup } = await migrated(backend));
    Object.assign(who, await seededClaims(db, ['officer1', 'supervisor', 'xingsha-handler', 'xingsha-staff'] as const));
    petitions = new PetitionService(db, MasterKeys.parse(MasterKeys.generateSpec(1)), { now: () => clock });
    cases = new CaseService(db, () => clock);
  });
  afterAll(async () => cleanup?.());

  const ids = {} as Record<'letter' | 'check' | 'shelve' | 'close', string>;

  it('a supervisor decides each of the four dispositions with a reason; each decision is a step and an audit row', async () => {
    clock = cst('2026-11-02T10:00:00');
    ids.letter = await accepted();
    ids.check = await accepted(anonymous('xingsha'));
    ids.shelve = await accepted(anonymous('langli'));
    ids.close = await accepted();

    clock = cst('2026-11-03T09:30:00');
    let wf = await decide(ids.letter, 'talk_letter', '反映问题较为笼统，先行函询');
    expect(CaseWorkflowView.parse(wf).disposition).toMatchObject({
      disposition: 'talk_letter',
      reason: '反映问题较为笼统，先行函询',
      reviewOn: null,
      outcome: null,
    });
    expect(wf.status).toBe('accepted');
    wf = await decide(ids.check, 'initial_check', `线索具体，具有可查性，${CANARY_REASON}`);
    expect(wf.disposition?.disposition).toBe('initial_check');
    wf = await decide(ids.shelve, 'shelve', '线索暂不具备核查条件，暂存待查', '2026-12-01');
    expect([wf.disposition?.disposition, wf.disposition?.reviewOn]).toEqual(['shelve', '2026-12-01']);
    wf = await decide(ids.close, 'close_lead', '反映问题已有结论，无新的实质内容');
    expect([wf.disposition?.disposition, wf.disposition?.outcome]).toEqual(['close_lead', null]);

    const audit = await db.query<{ object_id: string; actor_role: string; details: Record<string, unknown> }>(
      `SELECT object_id, actor_role, details FROM audit_log WHERE action = 'case.decide_disposition' ORDER BY seq`,
    );
    expect(audit.rows.map((r) => [r.object_id, r.actor_role, r.details['disposition']])).toEqual([
      [ids.letter, 'county_supervisor', 'talk_letter'],
      [ids.check, 'county_supervisor', 'initial_check'],
      [ids.shelve, 'county_supervisor', 'shelve'],
      [ids.close, 'county_supervisor', 'close_lead'],
    ]);
    expect(audit.rows[2]!.details['reviewOn']).toBe('2026-12-01');
    // The audit row says what was decided, not why: the reason is the case record's.
    expect(JSON.stringify(audit.rows)).not.toContain(CANARY_REASON);
    const steps = await db.query<{ action: string; text: string; actor_role: string }>(
      `SELECT action, text, actor_role FROM case_steps WHERE petition_id = $1 ORDER BY at`,
      [ids.close],
    );
    expect(steps.rows.map((s) => `${s.action}:${s.actor_role}`)).toEqual(['accept:county_officer', 'decide_disposition:county_supervisor']);
    expect(steps.rows[1]!.text).toBe('反映问题已有结论，无新的实质内容');
  });

  it('refusals: an officer, a township role, another class, a missing reason, a second decision, a past review day — each a Chinese error, nothing changed', async () => {
    clock = cst('2026-11-03T10:00:00');
    const id = await accepted();
    const body = { action: 'decide_disposition', disposition: 'initial_check', reason: '线索具体，具有可查性' };
    await refused(id, who.officer1, body, 'FORBIDDEN');
    // A township role cannot see a case the county handles, let alone decide on it.
    await refused(id, who['xingsha-handler'], body, 'NOT_FOUND');
    await refused(id, who['xingsha-staff'], body, 'NOT_FOUND');
    await refused(id, who.supervisor, { ...body, reason: '' }, 'BAD_REQUEST', /处置理由/);
    await refused(id, who.supervisor, { ...body, reason: '  太短 ' }, 'BAD_REQUEST', /处置理由/);
    await refused(id, who.supervisor, { ...body, disposition: 'investigate' }, 'BAD_REQUEST', /处置方式/);
    await refused(id, who.supervisor, { ...body, disposition: 'shelve' }, 'BAD_REQUEST', /研判的日期/);
    await refused(id, who.supervisor, { ...body, disposition: 'shelve', reviewOn: '2026-11-03' }, 'BAD_REQUEST', /晚于今天/);
    await refused(id, who.supervisor, { ...body, disposition: 'shelve', reviewOn: '2026-10-01' }, 'BAD_REQUEST', /晚于今天/);
    await refused(id, who.supervisor, { ...body, reviewOn: '2026-12-01' }, 'BAD_REQUEST', /只有暂存待查/);

    // Only an accepted 检举控告 has a disposition: not one still undecided, nor a 申诉.
    const received = named('xingsha');
    await petitions.submit(who.officer1, received);
    await refused(received.id, who.supervisor, body, 'INVALID_STATE');
    const appeal = await accepted(named('xingsha', { matterClass: 'appeal' }));
    await refused(appeal, who.supervisor, body, 'INVALID_STATE', /只有检举控告/);

    // Decided once (a lead in 暂存待查 excepted).
    await decide(id, 'initial_check', '线索具体，具有可查性');
    await refused(id, who.supervisor, { ...body, disposition: 'close_lead' }, 'INVALID_STATE', /已作出处置决定（初步核实）/);

    // The schema says the same at the door, in Chinese.
    const parse = (b: Record<string, unknown>) => {
      try {
        parseOrBadRequest(CaseTransitionBody, { ...step(), ...b }, 'request body');
        return 'ok';
      } catch (e) {
        return (e as AppError).message;
      }
    };
    expect(parse({ ...body, reason: undefined })).toBe('请写明处置理由（至少 5 个字）');
    expect(parse({ ...body, disposition: 'x' })).toMatch(/^请选择处置方式/);
    expect(parse({ ...body, disposition: 'shelve', reviewOn: '12/01/2026' })).toMatch(/^研判日期格式/);
    expect(parse(body)).toBe('ok');
  });

  it('outcomes: a 函询 reply with its assessment, a 初核 conclusion with its summary; bad input is a Chinese error and changes nothing', async () => {
    clock = cst('2026-11-10T10:00:00');
    const letter = { action: 'record_outcome', outcome: { disposition: 'talk_letter', assessment: 'explained', reply: '被反映人书面说明了有关情况' } };
    const check = { action: 'record_outcome', outcome: { disposition: 'initial_check', conclusion: 'partly', summary: '经初步核实，反映问题部分属实' } };
    // Before a decision, and for the dispositions that have no outcome fields.
    const undecided = await accepted();
    await refused(undecided, who.officer1, check, 'INVALID_STATE', /尚未作出处置决定/);
    await refused(ids.close, who.officer1, check, 'INVALID_STATE', /予以了结无需/);
    await refused(ids.shelve, who.officer1, check, 'INVALID_STATE', /暂存待查无需/);
    // The wrong disposition's fields, a value off the list, too little said, a township role.
    await refused(ids.check, who.officer1, letter, 'BAD_REQUEST', /初步核实/);
    await refused(ids.check, who.officer1, { ...check, outcome: { ...check.outcome, conclusion: 'mostly' } }, 'BAD_REQUEST', /初核结论/);
    await refused(ids.check, who.officer1, { ...check, outcome: { ...check.outcome, summary: '属实' } }, 'BAD_REQUEST', /初核情况摘要/);
    await refused(ids.letter, who.officer1, { ...letter, outcome: { ...letter.outcome, assessment: 'clear' } }, 'BAD_REQUEST', /函询回复的评估/);
    await refused(ids.letter, who.officer1, { ...letter, outcome: { ...letter.outcome, reply: '' } }, 'BAD_REQUEST', /函询回复的主要内容/);
    await refused(ids.letter, who['xingsha-handler'], letter, 'NOT_FOUND');

    let wf = await cases.transition(who.officer1, ids.letter, { ...step(), ...letter } as never);
    expect(wf.disposition).toMatchObject({ disposition: 'talk_letter', outcome: 'explained', outcomeText: '被反映人书面说明了有关情况' });
    wf = await cases.transition(who.supervisor, ids.check, { ...step(), ...check } as never);
    expect(wf.disposition).toMatchObject({ disposition: 'initial_check', outcome: 'partly', outcomeText: '经初步核实，反映问题部分属实' });
    expect(day(wf.disposition?.outcomeAt)).toBe('2026-11-10');
    // Once.
    await refused(ids.check, who.officer1, { ...check, outcome: { ...check.outcome, conclusion: 'substantiated' } }, 'INVALID_STATE', /已记录过处置结果/);

    const audit = await db.query<{ object_id: string; details: Record<string, unknown> }>(
      `SELECT object_id, details FROM audit_log WHERE action = 'case.record_outcome' ORDER BY seq`,
    );
    expect(audit.rows.map((r) => [r.object_id, r.details['disposition'], r.details['outcome']])).toEqual([
      [ids.letter, 'talk_letter', 'explained'],
      [ids.check, 'initial_check', 'partly'],
    ]);

    // The schema refuses bad outcome fields at the door, in Chinese.
    const issues = (b: Record<string, unknown>) => CaseTransitionBody.safeParse({ ...step(), ...b }).error?.issues.map((i) => i.message) ?? [];
    expect(issues({ ...check, outcome: { ...check.outcome, conclusion: '属实' } })).toEqual(['请选择初核结论：属实、部分属实、不属实或无法查实']);
    expect(issues({ ...letter, outcome: { ...letter.outcome, reply: ' ' } })).toEqual(['请填写函询回复的主要内容（至少 5 个字）']);
    expect(issues({ action: 'record_outcome', outcome: { disposition: 'close_lead' } })).toEqual(['只有谈话函询和初步核实需要记录处置结果']);
  });

  it('a lead in 暂存待查 comes due on its review day (injected time), is raised by the sweep once, and a supervisor decides again', async () => {
    const job = new DeadlineJob(db, quietLog, () => clock);
    const dueState = async () => (await db.query<{ due_state: string }>('SELECT due_state FROM petitions WHERE id = $1', [ids.shelve])).rows[0]!.due_state;
    await job.sweep(cst('2026-11-30T23:59:00'));
    expect(await dueState()).toBe('ok');
    let wf = await cases.workflow(who.supervisor, ids.shelve);
    expect(wf.escalations.filter((e) => e.clock === 'shelved')).toEqual([]);

    await job.sweep(cst('2026-12-01T08:00:00')); // the review day
    await job.sweep(cst('2026-12-01T15:00:00')); // again: nothing new
    expect(await dueState()).toBe('due_soon');
    wf = await cases.workflow(who.supervisor, ids.shelve);
    expect(wf.escalations.map((e) => `${e.clock}:${e.level}:${day(e.dueAt)}`)).toEqual(['shelved:due_soon:2026-12-01']);
    // The county handles it: its officers and supervisors are told.
    expect(new Set(wf.escalations[0]!.notified.map((n) => n.role as Role))).toEqual(new Set(['county_officer', 'county_supervisor']));
    const escalate = await db.query<{ details: Record<string, unknown> }>(`SELECT details FROM audit_log WHERE action = 'case.escalate' AND object_id = $1`, [
      ids.shelve,
    ]);
    expect(escalate.rows.map((r) => `${r.details['clock']}:${r.details['level']}`)).toEqual(['shelved:due_soon']);

    clock = cst('2026-12-01T10:00:00');
    wf = await decide(ids.shelve, 'initial_check', '到期研判：出现新的线索，转初步核实');
    expect([wf.disposition?.disposition, wf.disposition?.reviewOn, wf.dueState]).toEqual(['initial_check', null, 'ok']);
    const audit = await db.query<{ details: Record<string, unknown> }>(
      `SELECT details FROM audit_log WHERE action = 'case.decide_disposition' AND object_id = $1 ORDER BY seq`,
      [ids.shelve],
    );
    expect(audit.rows.map((r) => `${r.details['was'] ?? '-'}→${r.details['disposition']}`)).toEqual(['-→shelve', 'shelve→initial_check']);
    // Now an ordinary decided lead: it is not decided a third time.
    await refused(ids.shelve, who.supervisor, { action: 'decide_disposition', disposition: 'close_lead', reason: '再改一次试试看' }, 'INVALID_STATE');
    await cases.transition(who.officer1, ids.shelve, {
      ...step(),
      action: 'record_outcome',
      outcome: { disposition: 'initial_check', conclusion: 'unverifiable', summary: '经初步核实，无法查实' },
    });
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('a township that later handles a disposed lead never sees the disposition', async () => {
    clock = cst('2026-12-02T10:00:00');
    const id = await accepted();
    await decide(id, 'initial_check', `线索具体，交镇纪委协助核实，${CANARY_REASON}`);
    clock = cst('2026-12-02T11:00:00');
    await cases.transition(who.officer1, id, { ...step(), action: 'refer', text: '', handlerId: null });
    const seen = await cases.workflow(who['xingsha-handler'], id);
    expect(seen.disposition).toBeNull();
    expect(seen.steps.map((s) => s.action)).toEqual(['accept', 'refer']);
    expect(JSON.stringify(seen)).not.toContain(CANARY_REASON);
    // Referred away, it is no longer the county's lead to dispose of or record.
    const outcome = { action: 'record_outcome', outcome: { disposition: 'initial_check', conclusion: 'partly', summary: '经初步核实部分属实' } };
    await refused(id, who['xingsha-handler'], outcome, 'INVALID_STATE');
    await refused(id, who.supervisor, { action: 'decide_disposition', disposition: 'close_lead', reason: '改为予以了结处理' }, 'INVALID_STATE');
    // The township that takes it on assists: the county's decision is neither changed nor recorded by it, and the
    // refusal does not say what the county decided.
    await cases.transition(who['xingsha-handler'], id, { ...step(), action: 'township_accept', text: '' } as never);
    const redecide = { action: 'decide_disposition', disposition: 'close_lead', reason: '经研究予以了结处理' };
    await refused(id, who['xingsha-handler'], redecide, 'INVALID_STATE', /由县纪委监委决定/);
    await refused(id, who['xingsha-handler'], outcome, 'FORBIDDEN');
    for (const body of [outcome, redecide]) {
      const err = (await cases.transition(who['xingsha-handler'], id, { ...step(), ...body } as never).catch((e: unknown) => e)) as AppError;
      expect(err.message).not.toMatch(/初步核实|谈话函询|暂存待查/);
    }
    // A bad body is told what is wrong with it, as on a lead nobody decided: it cannot be used to probe the county's.
    await refused(
      id,
      who['xingsha-handler'],
      { action: 'decide_disposition', disposition: 'talk_letter', reason: '先行谈话了解情况', reviewOn: '2027-01-01' },
      'BAD_REQUEST',
      /只有暂存待查/,
    );
    await refused(id, who['xingsha-handler'], { action: 'decide_disposition', disposition: 'talk_letter', reason: '短' }, 'BAD_REQUEST', /处置理由/);
    const seen2 = await cases.workflow(who['xingsha-handler'], id);
    // The township's screen says the county holds it (what a refusal would say), never what it decided.
    expect([seen2.disposition, seen2.leadHeldByCounty]).toEqual([null, true]);
    expect((await cases.workflow(who.supervisor, id)).leadHeldByCounty).toBe(false);
    // The county records the conclusion of its own 初核 (the township assisting); the township still reads none of it.
    await cases.transition(who['xingsha-handler'], id, { ...step(), action: 'report', text: '已协助完成核实工作，情况已报县纪委', attachmentIds: [] } as never);
    const recorded = await cases.transition(who.officer1, id, { ...step(), ...outcome } as never);
    expect(recorded.disposition).toMatchObject({ disposition: 'initial_check', decidedBy: 'county', outcome: 'partly' });
    const after = await cases.workflow(who['xingsha-handler'], id);
    expect([after.disposition, after.leadHeldByCounty, after.steps.some((s) => s.action === 'record_outcome')]).toEqual([null, true, false]);
    expect(JSON.stringify(after)).not.toContain('经初步核实部分属实');
  });

  it('statistics count by township, class, disposition and outcome; the CSV holds counts only', async () => {
    const rooms = loadRooms().rooms;
    const stats = CaseStatsView.parse(await caseStats(db, 12, clock, rooms));
    const rows = stats.dispositions.map((d) => `${d.townshipCode}/${d.matterClass}/${d.disposition}/${d.outcome}:${d.count}`);
    expect(rows).toEqual(
      [
        'xingsha/accusation/talk_letter/explained:1',
        'xingsha/accusation/initial_check/partly:2',
        'xingsha/accusation/initial_check/pending:1',
        'xingsha/accusation/close_lead/none:1',
        'langli/accusation/initial_check/unverifiable:1',
      ].sort((a, b) => rooms.findIndex((r) => a.startsWith(`${r.code}/`)) - rooms.findIndex((r) => b.startsWith(`${r.code}/`))),
    );
    expect(dispositionTotals(stats.dispositions).map((t) => `${t.disposition}/${t.outcome}:${t.count}`)).toEqual([
      'talk_letter/explained:1',
      'initial_check/partly:2',
      'initial_check/pending:1',
      'initial_check/unverifiable:1',
      'close_lead/none:1',
    ]);
    const names = new Map(rooms.map((r) => [r.code, r.name]));
    const csv = statsCsv(stats, (c) => names.get(c) ?? c);
    expect(csv).toContain('问题线索处置：乡镇,乡镇代码,事项类别,处置方式,处置结果,件数');
    expect(csv).toContain(`${names.get('xingsha')},xingsha,检举控告,谈话函询,说明清楚,1`);
    expect(csv).toContain(`${names.get('langli')},langli,检举控告,初步核实,无法查实,1`);
    expect(csv).toContain('合计,,,初步核实,待记录结果,1');
    expect(csv).toContain('合计,,,予以了结,无需记录,1');
    // Counts only: no case code, no reason, no outcome text, no narrative, no name.
    const codes = await db.query<{ case_code: string }>('SELECT case_code FROM petitions');
    for (const c of codes.rows) expect(csv).not.toContain(c.case_code);
    for (const secret of [CANARY_REASON, CANARY_NAME, '函询', '经初步核实', '反映村干部', '李某某']) expect(csv.replace(/谈话函询/g, '')).not.toContain(secret);
  });

  it('a lead 交办 to a township is disposed of by that township: it decides and records the outcome, both sides see it, the county cannot change it, and it is counted', async () => {
    clock = cst('2026-12-03T09:00:00');
    const refer = async (id: string) => {
      await cases.transition(who.officer1, id, { ...step(), action: 'refer', text: '', handlerId: null } as never);
      await cases.transition(who['xingsha-handler'], id, { ...step(), action: 'township_accept', text: '' } as never);
    };
    const input = anonymous('xingsha');
    await petitions.submit(who.officer1, input);
    await refer(input.id);
    const id = input.id;
    const decision = { action: 'decide_disposition', disposition: 'initial_check', reason: `镇纪委研究，线索具体，${CANARY_REASON}` };
    // Only the township's handler decides for it: not its staff, not the county (the case is the township's).
    await refused(id, who['xingsha-staff'], decision, 'FORBIDDEN');
    await refused(id, who.supervisor, decision, 'FORBIDDEN');
    await refused(id, who.officer1, decision, 'FORBIDDEN');
    await refused(id, who['xingsha-handler'], { ...decision, reason: '太短' }, 'BAD_REQUEST', /处置理由/);

    let wf = await cases.transition(who['xingsha-handler'], id, { ...step(), ...decision } as never);
    expect(CaseWorkflowView.parse(wf).disposition).toMatchObject({ disposition: 'initial_check', decidedBy: 'township', outcome: null });
    expect(wf.steps.map((s) => `${s.action}:${s.side}`)).toContain('decide_disposition:township');
    const outcome = {
      action: 'record_outcome',
      outcome: { disposition: 'initial_check', conclusion: 'substantiated', summary: '经镇纪委初步核实，反映问题属实' },
    };
    await refused(id, who.officer1, outcome, 'FORBIDDEN');
    await refused(id, who['xingsha-handler'], { ...decision, disposition: 'close_lead' }, 'INVALID_STATE', /已作出处置决定（初步核实）/);
    clock = cst('2026-12-04T09:00:00');
    wf = await cases.transition(who['xingsha-handler'], id, { ...step(), ...outcome } as never);
    expect(wf.disposition).toMatchObject({ outcome: 'substantiated', outcomeText: '经镇纪委初步核实，反映问题属实', decidedBy: 'township' });
    wf = await cases.transition(who['xingsha-handler'], id, {
      ...step(),
      action: 'report',
      text: '经初步核实，反映问题属实，已按程序处理',
      attachmentIds: [],
    } as never);
    expect(wf.status).toBe('reported');

    // The county reviewing the result reads the township's disposition, its reason and outcome, and who decided.
    const county = await cases.workflow(who.supervisor, id);
    expect(county.disposition).toMatchObject({ disposition: 'initial_check', decidedBy: 'township', outcome: 'substantiated' });
    expect(county.steps.filter((s) => s.action === 'decide_disposition').map((s) => [s.side, s.text])).toEqual([
      ['township', `镇纪委研究，线索具体，${CANARY_REASON}`],
    ]);
    const audit = await db.query<{ actor_role: string; details: Record<string, unknown> }>(
      `SELECT actor_role, details FROM audit_log WHERE object_id = $1 AND action IN ('case.decide_disposition', 'case.record_outcome') ORDER BY seq`,
      [id],
    );
    expect(audit.rows.map((r) => [r.actor_role, r.details['disposition'], r.details['side'] ?? null, r.details['outcome'] ?? null])).toEqual([
      ['township_handler', 'initial_check', 'township', null],
      ['township_handler', 'initial_check', null, 'substantiated'],
    ]);
    expect(JSON.stringify(audit.rows)).not.toContain(CANARY_REASON);

    // A lead the county shelved and then 交办 is the township's to decide; what the county shelved it never reads.
    clock = cst('2026-12-04T10:00:00');
    const shelved = await accepted(anonymous('xingsha'));
    await decide(shelved, 'shelve', `暂不具备核查条件，${CANARY_REASON}`, '2027-01-15');
    await refer(shelved);
    expect((await cases.workflow(who['xingsha-handler'], shelved)).disposition).toBeNull();
    expect((await cases.workflow(who['xingsha-handler'], shelved)).leadHeldByCounty).toBe(false);
    // To the township a county 暂存待查 is no decision yet: it has no outcome to record, as on a lead nobody decided.
    await refused(
      shelved,
      who['xingsha-handler'],
      { action: 'record_outcome', outcome: { disposition: 'talk_letter', assessment: 'explained', reply: '被反映人作了说明' } },
      'INVALID_STATE',
      /尚未作出处置决定/,
    );
    wf = await cases.transition(who['xingsha-handler'], shelved, {
      ...step(),
      action: 'decide_disposition',
      disposition: 'talk_letter',
      reason: '镇纪委研究，先行谈话了解情况',
    } as never);
    expect(wf.disposition).toMatchObject({ disposition: 'talk_letter', decidedBy: 'township', reviewOn: null });
    expect(wf.steps.filter((s) => s.action === 'decide_disposition').map((s) => s.side)).toEqual(['township']);
    expect(JSON.stringify(wf)).not.toContain(CANARY_REASON);

    // A lead the township itself shelved comes back to it on its review day, while the 交办's own dates still run.
    const own = anonymous('xingsha');
    await petitions.submit(who.officer1, own);
    await refer(own.id);
    clock = cst('2026-12-04T11:00:00');
    wf = await cases.transition(who['xingsha-handler'], own.id, {
      ...step(),
      action: 'decide_disposition',
      disposition: 'shelve',
      reason: '镇纪委研究，暂不具备核查条件',
      reviewOn: '2026-12-09',
    } as never);
    expect(wf.disposition).toMatchObject({ disposition: 'shelve', decidedBy: 'township', reviewOn: '2026-12-09' });
    const job = new DeadlineJob(db, quietLog, () => clock);
    await job.sweep(cst('2026-12-09T09:00:00'));
    const raised = await cases.workflow(who.supervisor, own.id);
    expect(raised.escalations.map((e) => `${e.clock}:${e.level}:${day(e.dueAt)}`)).toEqual(['shelved:due_soon:2026-12-09']);
    // The township handling it is told.
    expect(new Set(raised.escalations[0]!.notified.map((n) => n.role as Role))).toEqual(new Set(['township_handler']));
    // A county 暂存待查 then 交办 runs no review clock of the county's on the township's case.
    const countyShelved = await db.query<{ due_state: string }>('SELECT due_state FROM petitions WHERE id = $1', [shelved]);
    expect(countyShelved.rows[0]!.due_state).toBe('ok');

    // Counted with the township's other leads.
    const stats = CaseStatsView.parse(await caseStats(db, 12, clock, loadRooms().rooms));
    const rows = stats.dispositions.filter((d) => d.townshipCode === 'xingsha').map((d) => `${d.disposition}/${d.outcome}:${d.count}`);
    expect(rows).toContain('initial_check/substantiated:1');
    expect(rows).toContain('talk_letter/pending:1');
    expect(rows).toContain('shelve/none:1');
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('an empty database has no disposition rows, and its CSV still has the section header', async () => {
    const fresh = await migrated(backend);
    try {
      const stats = await caseStats(fresh.db, 12, clock, loadRooms().rooms);
      expect(stats.dispositions).toEqual([]);
      expect(statsCsv(stats, (c) => c)).toContain('问题线索处置：乡镇');
    } finally {
      await fresh.cleanup();
    }
  });
});
