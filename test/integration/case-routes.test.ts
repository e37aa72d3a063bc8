import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '@vj/shared';
import { IntegrityKeys, migrate, type Db } from '@vj/signaling';
import { verifyAuditChain } from '../../signaling/src/audit/verify.js';
import { policyView } from '../../signaling/src/cases/case-policy.js';
import { CaseService } from '../../signaling/src/cases/case-service.js';
import { CLOCK_RULES, recomputeClocks } from '../../signaling/src/cases/clock-recompute.js';
import { DeadlineJob } from '../../signaling/src/cases/deadline-job.js';
import { dayOf, isoDay } from '../../signaling/src/cases/deadline-clock.js';
import { LocalRateLimiter } from '../../signaling/src/http/rate-limit.js';
import { PetitionService } from '../../signaling/src/petitions/petition-service.js';
import { ReceiptLookup } from '../../signaling/src/petitions/receipts.js';
import { MasterKeys } from '../../signaling/src/security/crypto.js';
import type { Claims } from '../../signaling/src/security/jwt.js';
import { backends, migrated, quietLog } from '../helpers/backends.js';
import { seededClaims } from '../helpers/claims.js';
import { caseSnapshot, petitionBody, randomIdCard } from '../helpers/fixtures.js';
import { migrationsBefore } from '../helpers/migrations.js';

const cst = (local: string) => new Date(`${local}+08:00`);
const day = (d: Date | string | null | undefined) => (d ? isoDay(dayOf(new Date(d))) : null);
type Input = Parameters<PetitionService['submit']>[1];
const named = (township: string, over: Record<string, unknown> = {}) =>
  petitionBody(township, { name: '王某', idCard: randomIdCard(), phone: '13912345678', address: '', village: '' }, over) as Input;
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
/** An accused cadre of the township itself: handing the matter to that township is a conflict of interest. */
const ofXingsha = {
  accused: [
    { name: '赵某某', unit: '星沙街道某社区', position: '社区主任', townshipCode: 'xingsha', officialCode: null, managementLevel: 'village_cadre' as const },
  ],
};

describe.each(backends)('转办 and 交办, and the 交办 progress clock, on $name', (backend) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  const who = {} as Record<'officer1' | 'supervisor' | 'xingsha-handler' | 'langli-handler', Claims>;
  let clock = cst('2026-11-02T09:00:00');
  let petitions: PetitionService;
  let cases: CaseService;
  let receipts: ReceiptLookup;
  let job: DeadlineJob;
  const step = () => ({ stepId: randomUUID() });
  const snapshot = (id: string) => caseSnapshot(db, id);
  /** The progress clock as stored; the screens show it only while it falls before the result's deadline. */
  const progressClock = async (id: string) =>
    day((await db.query<{ progress_due_at: Date | null }>('SELECT progress_due_at FROM petitions WHERE id = $1', [id])).rows[0]?.progress_due_at);
  const lastAudit = async (id: string) =>
    (
      await db.query<{ action: string; details: Record<string, unknown> }>(
        'SELECT action, details FROM audit_log WHERE object_id = $1 ORDER BY seq DESC LIMIT 1',
        [id],
      )
    ).rows[0]!;
  /** A refusal with its code, leaving the case, its steps and the audit log exactly as they were. */
  async function refused(id: string, act: () => Promise<unknown>, code: string, message?: RegExp) {
    const before = await snapshot(id);
    const err = await act().then(
      () => null,
      (e: unknown) => e as { code: string; message: string },
    );
    expect(err?.code).toBe(code);
    if (message) expect(err?.message).toMatch(message);
    expect(await snapshot(id)).toBe(before);
  }

  beforeAll(async () => {
    ({ db, cleanup } = await migrated(backend));
    Object.assign(who, await seededClaims(db, ['officer1', 'supervisor', 'xingsha-handler', 'langli-handler'] as const));
    petitions = new PetitionService(db, MasterKeys.parse(MasterKeys.generateSpec(1)), { now: () => clock });
    cases = new CaseService(db, () => clock);
    receipts = new ReceiptLookup(db, new LocalRateLimiter());
    job = new DeadlineJob(db, quietLog, () => clock);
  });
  afterAll(async () => cleanup?.());

  it('the policy page shows a progress row for each class a 交办 can carry, with its source and that the article is unverified', async () => {
    const rows = (await policyView(db)).rows.filter((r) => r.kind === 'progress');
    expect(rows.map((r) => `${r.matterClass}:${r.days}${r.counting === 'working' ? 'w' : 'c'}:${r.dueSoonDays}`)).toEqual([
      'accusation:90c:10',
      'appeal:90c:10',
      'suggestion:90c:10',
    ]);
    expect(rows.every((r) => r.source.includes('交办事项应定期报告进展') && r.source.includes('待核实'))).toBe(true);
  });

  it('转办 to a township: it stops the accept clock; the township sees it marked 转办, cannot report or be reviewed, and records its outcome', async () => {
    clock = cst('2026-11-02T09:00:00'); // Monday
    const b = named('xingsha', { matterClass: 'accusation' });
    await petitions.submit(who.officer1, b);
    clock = cst('2026-11-06T10:00:00'); // Friday, inside the 5 working days
    let wf = await cases.transition(who.officer1, b.id, { ...step(), action: 'transfer', to: 'township', handlerId: null, text: '属镇纪委管辖' });
    expect([wf.status, wf.route, wf.side, wf.transferTo, wf.concludeDueAt, wf.progressDueAt, wf.dueState]).toEqual([
      'transferred',
      'zhuanban',
      'township',
      null,
      null,
      null,
      'ok',
    ]);
    // The accept clock no longer runs: a sweep long after its day raises nothing.
    await job.sweep(cst('2026-12-01T09:00:00'));
    expect((await cases.workflow(who.supervisor, b.id)).dueState).toBe('ok');
    expect((await cases.workflow(who.supervisor, b.id)).escalations).toEqual([]);
    expect((await lastAudit(b.id)).details).toMatchObject({ to: 'township', from: 'received' });

    // The township sees it, marked 转办, without the county's reasoning; another township does not see it at all.
    const tw = await cases.workflow(who['xingsha-handler'], b.id);
    expect([tw.route, tw.status, tw.named, tw.steps.map((s) => `${s.action}:${s.text}`)]).toEqual(['zhuanban', 'transferred', null, ['transfer:']]);
    await refused(b.id, () => cases.workflow(who['langli-handler'], b.id), 'NOT_FOUND');
    // No reporting duty and no county review: none of the 交办 loop's actions apply, and the county cannot close it for the township.
    const h = who['xingsha-handler'];
    await refused(b.id, () => cases.transition(h, b.id, { ...step(), action: 'report', text: '经核查，反映问题部分属实', attachmentIds: [] }), 'INVALID_STATE');
    await refused(
      b.id,
      () => cases.transition(h, b.id, { ...step(), action: 'report_progress', text: '正在调查中，已约谈相关人员', attachmentIds: [] }),
      'INVALID_STATE',
    );
    await refused(b.id, () => cases.transition(h, b.id, { ...step(), action: 'request_extension', days: 10, text: '需要更多时间调查' }), 'INVALID_STATE');
    await refused(
      b.id,
      () => cases.transition(who.supervisor, b.id, { ...step(), action: 'approve', feedback: '您反映的问题已经查实并处理', text: '' }),
      'INVALID_STATE',
    );
    await refused(b.id, () => cases.transition(who.officer1, b.id, { ...step(), action: 'record_transfer_outcome', text: '镇纪委已作出处理' }), 'FORBIDDEN');
    await refused(
      b.id,
      () => cases.transition(who.officer1, b.id, { ...step(), action: 'transfer', to: 'township', handlerId: null, text: '' }),
      'INVALID_STATE',
    );

    // A named accuser may still be told it was handed on.
    await cases.transition(who.officer1, b.id, { ...step(), action: 'notify_accept', via: 'phone', text: '您的检举已转交镇纪委依职权办理' });
    clock = cst('2027-01-15T10:00:00');
    wf = await cases.transition(h, b.id, { ...step(), action: 'record_transfer_outcome', text: '经镇纪委调查，对相关人员进行了批评教育' });
    expect([wf.status, wf.route]).toEqual(['closed', 'zhuanban']);
    const county = await cases.workflow(who.supervisor, b.id);
    expect(county.steps.at(-1)).toMatchObject({ action: 'record_transfer_outcome', side: 'township', text: '经镇纪委调查，对相关人员进行了批评教育' });
    // The body that handled it owes the result notice, not the county: no result clock is started for it.
    expect(county.notices?.resultDueAt).toBeNull();
  });

  it('转办 to an outside body: the county records which and when, a township never sees it, the outcome is recorded when reported back', async () => {
    clock = cst('2026-11-09T09:00:00');
    const b = named('xingsha', { matterClass: 'accusation' });
    const receipt = await petitions.submit(who.officer1, b);
    const body = { ...step(), action: 'transfer' as const, to: 'other' as const, handlerId: null, text: '反映对象为县管干部的选拔问题' };
    await refused(b.id, () => cases.transition(who.officer1, b.id, body), 'BAD_REQUEST', /接收转办的单位/);
    await refused(b.id, () => cases.transition(who.officer1, b.id, { ...body, otherBody: '县委组织部', handlerId: who['xingsha-handler'].sub }), 'BAD_REQUEST');
    await refused(b.id, () => cases.transition(who['xingsha-handler'], b.id, { ...body, otherBody: '县委组织部' }), 'NOT_FOUND');
    clock = cst('2026-11-10T11:00:00');
    let wf = await cases.transition(who.officer1, b.id, { ...body, otherBody: '县委组织部' });
    expect([wf.status, wf.route, wf.side, wf.transferTo, wf.progressDueAt]).toEqual(['transferred', 'zhuanban', 'county', '县委组织部', null]);
    expect(wf.steps.at(-1)).toMatchObject({ action: 'transfer', at: cst('2026-11-10T11:00:00').toISOString() });
    await refused(b.id, () => cases.workflow(who['xingsha-handler'], b.id), 'NOT_FOUND');
    await refused(
      b.id,
      () => cases.transition(who['xingsha-handler'], b.id, { ...step(), action: 'record_transfer_outcome', text: '已作出处理决定' }),
      'NOT_FOUND',
    );
    // The villager's receipt says where it is.
    expect((await receipts.lookup(kiosk, receipt.caseCode, receipt.pin)).status).toBe('transferred');

    clock = cst('2027-02-01T10:00:00');
    wf = await cases.transition(who.officer1, b.id, { ...step(), action: 'record_transfer_outcome', text: '县委组织部函告：已对相关人员进行诫勉谈话' });
    expect([wf.status, wf.transferTo]).toEqual(['closed', '县委组织部']);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('转办 to a township runs the same conflict-of-interest checks as 交办: refused, refused for an officer’s override, a supervisor overrides with a reason', async () => {
    clock = cst('2026-11-09T09:00:00');
    const b = named('xingsha', { matterClass: 'accusation', ...ofXingsha });
    await petitions.submit(who.officer1, b);
    const body = { ...step(), action: 'transfer' as const, to: 'township' as const, handlerId: null, text: '' };
    await refused(b.id, () => cases.transition(who.officer1, b.id, body), 'CONFLICT_OF_INTEREST', /转办须回避/);
    await refused(b.id, () => cases.transition(who.officer1, b.id, { ...body, overrideReason: '该社区主任已调离，无利害关系' }), 'FORBIDDEN');
    await refused(
      b.id,
      () => cases.transition(who.supervisor, b.id, { ...body, handlerId: who['langli-handler'].sub, overrideReason: '该社区主任已调离' }),
      'BAD_REQUEST',
    );
    // 交办 says its own word.
    await refused(
      b.id,
      () => cases.transition(who.officer1, b.id, { ...step(), action: 'refer', handlerId: null, text: '' }),
      'CONFLICT_OF_INTEREST',
      /交办须回避/,
    );
    const wf = await cases.transition(who.supervisor, b.id, { ...body, overrideReason: '该社区主任已调离，无利害关系' });
    expect(wf.status).toBe('transferred');
    expect((await lastAudit(b.id)).details).toMatchObject({ coiOverride: true, conflicts: 'accused_in_township', to: 'township' });
  });

  it('转办 to a township is bound by jurisdiction like 交办 (no override); to the body with jurisdiction it goes', async () => {
    clock = cst('2026-11-09T09:00:00');
    const b = named('xingsha', {
      matterClass: 'accusation',
      accused: [{ name: '钱某某', unit: '县某局', position: '副局长', townshipCode: null, officialCode: null, managementLevel: 'county_managed' as const }],
    });
    await petitions.submit(who.officer1, b);
    const body = { ...step(), action: 'transfer' as const, to: 'township' as const, handlerId: null, text: '' };
    await refused(b.id, () => cases.transition(who.supervisor, b.id, { ...body, overrideReason: '主任决定越过回避规则' }), 'JURISDICTION', /县管干部/);
    const wf = await cases.transition(who.officer1, b.id, { ...step(), action: 'transfer', to: 'other', otherBody: '市纪委监委', handlerId: null, text: '' });
    expect(wf.status).toBe('transferred');
  });

  it('交办: progress is due a quarter after the 交办; a report moves it on; a late one is raised by the sweep as 进展报告 overdue', async () => {
    clock = cst('2026-07-01T09:00:00'); // Wednesday
    const b = named('xingsha', { matterClass: 'accusation' });
    await petitions.submit(who.officer1, b);
    clock = cst('2026-07-03T15:00:00'); // Friday
    let wf = await cases.transition(who.officer1, b.id, { ...step(), action: 'refer', handlerId: null, text: '' });
    expect([wf.route, await progressClock(b.id), day(wf.concludeDueAt)]).toEqual(['jiaoban', '2026-10-01', '2026-09-01']);
    // The result is owed first: no progress report is shown as due after it.
    expect(wf.progressDueAt).toBeNull();
    const h = who['xingsha-handler'];
    // Not before the township has taken it on; never by the county, whose own cases owe no progress report.
    await refused(
      b.id,
      () => cases.transition(h, b.id, { ...step(), action: 'report_progress', text: '已开始调查核实情况', attachmentIds: [] }),
      'INVALID_STATE',
    );
    await cases.transition(h, b.id, { ...step(), action: 'township_accept', text: '' });
    await refused(
      b.id,
      () => cases.transition(who.officer1, b.id, { ...step(), action: 'report_progress', text: '已开始调查核实情况', attachmentIds: [] }),
      'FORBIDDEN',
    );
    // Evidence that is not the handler's own upload rolls the whole report back.
    await refused(
      b.id,
      () => cases.transition(h, b.id, { ...step(), action: 'report_progress', text: '已调取部分账目，附后', attachmentIds: [randomUUID()] }),
      'BAD_REQUEST',
    );

    // The result deadline (60 days) comes first here: an extension moves it past the progress date.
    await cases.transition(h, b.id, { ...step(), action: 'request_extension', days: 30, text: '需要调取三年账目' });
    await cases.transition(who.supervisor, b.id, { ...step(), action: 'decide_extension', approve: true, text: '' });
    wf = await cases.workflow(who.supervisor, b.id);
    expect([day(wf.concludeDueAt), await progressClock(b.id), wf.progressDueAt]).toEqual(['2026-10-01', '2026-10-01', null]);
    await refused(b.id, () => cases.transition(h, b.id, { ...step(), action: 'request_extension', days: 5, text: '再延期一次试试' }), 'INVALID_STATE');

    clock = cst('2026-08-20T10:00:00');
    wf = await cases.transition(h, b.id, { ...step(), action: 'report_progress', text: '已走访相关村民，正在调取账目', attachmentIds: [] });
    expect([await progressClock(b.id), wf.progressDueAt]).toEqual(['2026-11-18', null]); // 90 days from 20 August, after 1 October
    expect((await lastAudit(b.id)).details).toMatchObject({ late: false });
    // The result's deadline (1 October) now comes first: that is the clock that runs.
    await job.sweep(cst('2026-10-02T09:00:00'));
    let esc = (await cases.workflow(who.supervisor, b.id)).escalations;
    expect(esc.map((e) => `${e.clock}:${e.level}`)).toEqual(['conclude:overdue']);

    // With the result's deadline set far off (written straight to the row: this test watches the progress clock alone),
    // progress comes due first and lapses.
    await db.query(`UPDATE petitions SET conclude_due_at = $2 WHERE id = $1`, [b.id, cst('2027-06-30T23:59:59')]);
    const before = await snapshot(b.id);
    await job.sweep(cst('2026-11-08T09:00:00')); // 10 days before 18 November
    expect(await snapshot(b.id)).not.toBe(before);
    wf = await cases.workflow(who.supervisor, b.id);
    expect(wf.dueState).toBe('due_soon');
    await job.sweep(cst('2026-11-19T00:00:01'));
    wf = await cases.workflow(who.supervisor, b.id);
    expect(wf.dueState).toBe('overdue');
    esc = wf.escalations.filter((e) => e.clock === 'progress');
    expect(esc.map((e) => `${e.level}:${day(e.dueAt)}`)).toEqual(['due_soon:2026-11-18', 'overdue:2026-11-18']);
    // Overdue: the county's supervisors and the township's handler are told; never the accuser's name.
    expect(esc[1]!.notified.map((n) => n.role).sort()).toEqual(['county_supervisor', 'township_handler']);
    // The township sees its own lateness, not who in the county was told.
    expect((await cases.workflow(h, b.id)).dueState).toBe('overdue');

    // A late report is marked late and clears it.
    clock = cst('2026-11-20T09:30:00');
    wf = await cases.transition(h, b.id, { ...step(), action: 'report_progress', text: '已查明主要事实，正在核实账目', attachmentIds: [] });
    expect([wf.dueState, day(wf.progressDueAt)]).toEqual(['ok', '2027-02-18']);
    expect((await lastAudit(b.id)).details).toMatchObject({ late: true });
    // The result reported: no progress owed while the county reviews it; returned: owed again from the return.
    await cases.transition(h, b.id, { ...step(), action: 'report', text: '经核查，反映问题部分属实', attachmentIds: [] });
    expect((await cases.workflow(who.supervisor, b.id)).progressDueAt).toBeNull();
    clock = cst('2026-12-01T09:00:00');
    wf = await cases.transition(who.supervisor, b.id, { ...step(), action: 'return', text: '证据不足，请补充调查' });
    expect(day(wf.progressDueAt)).toBe('2027-03-01');
    await cases.transition(h, b.id, { ...step(), action: 'report_progress', text: '已补充调取银行流水', attachmentIds: [] });
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('交办 with a deadline the county sets: it holds to the end of that day, is audited, and a past or far one is refused, changing nothing', async () => {
    clock = cst('2026-07-06T10:00:00'); // Monday
    const b = named('xingsha', { matterClass: 'accusation' });
    await petitions.submit(who.officer1, b);
    const refer = (dueDate: string) => cases.transition(who.officer1, b.id, { ...step(), action: 'refer', handlerId: null, text: '', dueDate });
    await refused(b.id, () => refer('2026-07-06'), 'BAD_REQUEST', /晚于今天/);
    await refused(b.id, () => refer('2026-07-01'), 'BAD_REQUEST', /晚于今天/);
    await refused(b.id, () => refer('2027-07-08'), 'BAD_REQUEST', /一年/);
    const wf = await refer('2026-08-14');
    expect([wf.route, day(wf.concludeDueAt)]).toEqual(['jiaoban', '2026-08-14']);
    // To the last millisecond of that day in China time, not the policy's 60 days.
    expect(new Date(wf.concludeDueAt!).toISOString()).toBe('2026-08-14T15:59:59.999Z');
    expect((await lastAudit(b.id)).details).toMatchObject({ dueDate: '2026-08-14', from: 'received', to: 'referred' });
  });

  it('交办 with a new deadline after the county used its own extension: the township still has its one extension; a pending request is dropped', async () => {
    clock = cst('2026-07-06T10:00:00');
    const used = named('xingsha', { matterClass: 'accusation' });
    const pending = named('xingsha', { matterClass: 'accusation' });
    for (const b of [used, pending]) {
      await petitions.submit(who.officer1, b);
      await cases.transition(who.officer1, b.id, { ...step(), action: 'accept', text: '' });
      await cases.transition(who.officer1, b.id, { ...step(), action: 'request_extension', days: 10, text: '县里先核实基本情况' });
    }
    await cases.transition(who.supervisor, used.id, { ...step(), action: 'decide_extension', approve: true, text: '' });
    const h = who['xingsha-handler'];
    for (const b of [used, pending]) {
      await cases.transition(who.officer1, b.id, { ...step(), action: 'refer', handlerId: null, text: '', dueDate: '2026-09-30' });
      expect((await lastAudit(b.id)).details).toMatchObject(
        b === used ? { extensionsUsedBefore: 1, extensionRequestDropped: false } : { extensionsUsedBefore: 0, extensionRequestDropped: true },
      );
      await cases.transition(h, b.id, { ...step(), action: 'township_accept', text: '' });
      // The township asks for its own extension against the deadline it was given, and the supervisor grants it.
      await cases.transition(h, b.id, { ...step(), action: 'request_extension', days: 15, text: '需要调取三年账目' });
      const wf = await cases.transition(who.supervisor, b.id, { ...step(), action: 'decide_extension', approve: true, text: '' });
      expect(day(wf.concludeDueAt)).toBe('2026-10-15');
    }
  });
});

describe.each(backends)('open 交办 matters get their first progress date at the upgrade to 0024, audited, on $name', (backend) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let dir: string;

  beforeAll(async () => {
    ({ db, cleanup } = await backend.open());
    dir = migrationsBefore('0024');
    await migrate(db, quietLog, dir);
    db.integrity = IntegrityKeys.ephemeral();
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await cleanup?.();
  });

  it('from the later of the decision and the last township step; other rows move on unaudited; once', async () => {
    const who = await seededClaims(db, ['officer1', 'xingsha-handler'] as const);
    const old = async (status: string, side: string | null, decided: string | null) => {
      const id = randomUUID();
      await db.query(
        `INSERT INTO petitions (id, case_code, pin_hash, request_digest, township_code, category, narrative, anonymous, created_by, status, handler_side, route, created_at, updated_at,
                                decided_at, accept_due_at, conclude_due_at, clock_rules)
         VALUES ($1, $2, 'x', 'x', 'xingsha', '工作作风', '升级前的交办件', true, $3, $4, $5, CASE WHEN $5::text = 'township' THEN 'jiaoban' END, $6, $6, $6, $6::timestamptz + interval '7 days',
                 $6::timestamptz + interval '400 days', 1)`,
        [id, String(Math.floor(Math.random() * 1e10)).padStart(10, '0'), who.officer1.sub, status, side, decided ? cst(decided) : cst('2026-06-01T09:00:00')],
      );
      return id;
    };
    const silent = await old('referred', 'township', '2026-06-01T09:00:00'); // 交办 on 1 June, not a word since
    const stepped = await old('handling', 'township', '2026-06-01T09:00:00');
    await db.query(
      `INSERT INTO case_steps (id, petition_id, action, from_status, to_status, text, actor_id, actor_role, side, at) VALUES ($1, $2, 'add_step', 'handling', 'handling', '走访核实', $3, 'township_handler', 'township', $4)`,
      [randomUUID(), stepped, who['xingsha-handler'].sub, cst('2026-10-20T15:00:00')],
    );
    const own = await old('accepted', 'county', '2026-06-01T09:00:00');

    await migrate(db, quietLog);
    const rows = async () =>
      new Map(
        (
          await db.query<{ id: string; clock_rules: number; progress_due_at: Date | null; due_state: string }>(
            'SELECT id, clock_rules, progress_due_at, due_state FROM petitions',
          )
        ).rows.map((r) => [r.id, r]),
      );
    let m = await rows();
    // The county's own case owes no progress report: 0024 moved it on itself, with nothing to audit.
    expect([m.get(silent)!.clock_rules, m.get(stepped)!.clock_rules, m.get(own)!.clock_rules]).toEqual([1, 1, CLOCK_RULES]);

    const auditBefore = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM audit_log')).rows[0]!.n);
    expect(await recomputeClocks(db, quietLog, () => cst('2026-11-02T10:00:00'))).toBe(2);
    m = await rows();
    // 1 June + 90 days = 30 August, long past: overdue at once. 20 October + 90 days = 18 January.
    expect([day(m.get(silent)!.progress_due_at), m.get(silent)!.due_state]).toEqual(['2026-08-30', 'overdue']);
    expect([day(m.get(stepped)!.progress_due_at), m.get(stepped)!.due_state]).toEqual(['2027-01-18', 'ok']);
    expect(m.get(own)!.progress_due_at).toBeNull();
    expect([...m.values()].every((r) => r.clock_rules === CLOCK_RULES)).toBe(true);
    const audit = await db.query<{ object_id: string; details: Record<string, string | null> }>(
      `SELECT object_id, details FROM audit_log WHERE action = 'case.clocks_recomputed' ORDER BY seq`,
    );
    expect(audit.rows.map((r) => [r.object_id, day(r.details['progressDue'])]).sort()).toEqual(
      [
        [silent, '2026-08-30'],
        [stepped, '2027-01-18'],
      ].sort(),
    );
    // The accept clock of rows already on the class rules is left as it was.
    expect(audit.rows.every((r) => r.details['acceptDue'] === r.details['acceptDueWas'])).toBe(true);
    expect((await verifyAuditChain(db)).ok).toBe(true);
    expect(await recomputeClocks(db, quietLog)).toBe(0);
    expect(Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM audit_log')).rows[0]!.n)).toBe(auditBefore + 2);
  });
});
