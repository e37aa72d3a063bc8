import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type {
  CaseStatsView,
  CaseWorkflowView,
  CountyPetitionView,
  CrossReferenceView,
  RegistryImportView,
  TownshipCaseDetail,
  TownshipCaseView,
} from '@vj/shared';
import { api } from '../helpers/api.js';
import { PNG, kioskToken, loginAll, petitionBody, randomIdCard, transition, upload, type Logins } from '../helpers/fixtures.js';
import { dbFingerprint, startInProcess, type InProcessServer } from '../helpers/inprocess.js';
import { waitFor } from '../helpers/poll.js';

let s: InProcessServer;
let logins: Logins;
const token = (who: string) => logins[who]!.accessToken;

beforeAll(async () => {
  s = await startInProcess();
  logins = await loginAll(s.url);
});
afterAll(async () => s?.stop());

async function submit(township: string, over: Record<string, unknown> = {}, identity: Record<string, string> | null = null) {
  const b = petitionBody(township, identity, over);
  const r = await api<{ caseCode: string; pin: string }>(s.url, 'POST', '/api/petitions', { token: token('officer1'), body: b });
  expect(r.status).toBe(200);
  return { id: b.id, ...r.body };
}

async function importCsv(kind: 'officials' | 'discipline', csv: string): Promise<RegistryImportView> {
  const res = await fetch(`${s.url}/api/registry/imports?kind=${kind}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token('supervisor')}`, 'content-type': 'text/csv' },
    body: csv,
  });
  expect(res.status).toBe(202);
  const started = (await res.json()) as RegistryImportView;
  return waitFor(`${kind} import to finish`, async () => {
    const v = await api<RegistryImportView>(s.url, 'GET', `/api/registry/imports/${started.id}`, { token: token('supervisor') });
    return v.body.status !== 'running' ? v.body : undefined;
  });
}

describe('conflict of interest', () => {
  it('refuses referral to the township an accused person belongs to; a supervisor may override with a reason, audited', async () => {
    const p = await submit('xingsha', {
      accused: [{ name: '周某某', unit: '星沙街道城建办', position: '副主任', townshipCode: 'xingsha', officialCode: null, managementLevel: 'township_cadre' }],
    });
    const before = await dbFingerprint(s);
    const refused = await transition(s.url, token('officer1'), p.id, { action: 'refer' });
    expect(refused.status).toBe(409);
    expect((refused.body as unknown as { error: { code: string } }).error.code).toBe('CONFLICT_OF_INTEREST');
    expect(await dbFingerprint(s)).toBe(before);
    const byOfficer = await transition(s.url, token('officer1'), p.id, { action: 'refer', overrideReason: '街道纪工委书记与被反映人无隶属关系' });
    expect(byOfficer.status).toBe(403);
    // A refusal of a known user is itself audited; the case is untouched.
    const untouched = await s.server.db.query(
      `SELECT 1 FROM petitions WHERE id = $1 AND status = 'received' AND NOT EXISTS (SELECT 1 FROM case_steps WHERE petition_id = $1)`,
      [p.id],
    );
    expect(untouched.rowCount).toBe(1);

    const overridden = await transition(s.url, token('supervisor'), p.id, { action: 'refer', overrideReason: '街道纪工委书记与被反映人无隶属关系' });
    expect(overridden.status).toBe(200);
    expect(overridden.body.status).toBe('referred');
    const audit = await s.server.db.query<{ details: Record<string, unknown>; actor_role: string }>(
      `SELECT details, actor_role FROM audit_log WHERE action = 'case.refer' AND object_id = $1`,
      [p.id],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]!.actor_role).toBe('county_supervisor');
    expect(audit.rows[0]!.details).toMatchObject({ coiOverride: true, overrideReason: '街道纪工委书记与被反映人无隶属关系', conflicts: 'accused_in_township' });
    // The override's reasoning stays with the county.
    const seen = await api<TownshipCaseDetail>(s.url, 'GET', `/api/township/cases/${p.id}`, { token: token('xingsha-handler') });
    expect(seen.status).toBe(200);
    expect(JSON.stringify(seen.body)).not.toContain('无隶属关系');
  });

  it('a township handler named as accused: the case never goes to their township (its own commission), and they cannot see it at all', async () => {
    const handler = logins['xingsha-handler']!.user.id;
    await s.server.db.query(`UPDATE users SET person_name = '陈志明' WHERE id = $1`, [handler]);
    try {
      const p = await submit('xingsha', {
        accused: [{ name: '陈志明', unit: '星沙街道纪工委', position: '干事', townshipCode: null, officialCode: null, managementLevel: 'township_cadre' }],
      });
      const before = await dbFingerprint(s);
      const assigned = await transition(s.url, token('officer1'), p.id, { action: 'refer', handlerId: handler });
      expect(assigned.status).toBe(409);
      expect((assigned.body as unknown as { error: { code: string } }).error.code).toBe('JURISDICTION');
      const unassigned = await transition(s.url, token('supervisor'), p.id, { action: 'refer', overrideReason: '与被反映人无隶属关系' });
      expect((unassigned.body as unknown as { error: { code: string } }).error.code).toBe('JURISDICTION');
      expect(await dbFingerprint(s)).toBe(before);
      // Even had it gone down before the rule (a referral already made stands), the handler it names never sees it.
      await s.server.db.query(`UPDATE petitions SET status = 'referred', handler_side = 'township', route = 'jiaoban', decided_at = now() WHERE id = $1`, [
        p.id,
      ]);

      const list = await api<{ items: TownshipCaseView[] }>(s.url, 'GET', '/api/township/cases', { token: token('xingsha-handler') });
      expect(list.status).toBe(200);
      expect(list.body.items.map((c) => c.id)).not.toContain(p.id);
      for (const [method, path, body] of [
        ['GET', `/api/township/cases/${p.id}`, undefined],
        ['POST', `/api/township/cases/${p.id}/transition`, { stepId: randomUUID(), action: 'township_accept' }],
        ['GET', `/api/township/cases/${p.id}/attachments/${randomUUID()}`, undefined],
      ] as const) {
        expect((await api(s.url, method, path, { token: token('xingsha-handler'), body })).status).toBe(404);
      }
      expect((await upload(s.url, token('xingsha-handler'), p.id, randomUUID(), PNG, 'image/png', 'x.png', '/api/township/cases')).status).toBe(404);
    } finally {
      await s.server.db.query(`UPDATE users SET person_name = NULL WHERE id = $1`, [handler]);
    }
  });
});

describe('the full loop over the API', () => {
  it('refer → township accepts, records a step with evidence, reports → county returns once → reports again → approved; the receipt shows the feedback', async () => {
    const canary = `CANARY-${randomUUID().slice(0, 8)}`;
    const p = await submit('langli', {}, { name: canary, idCard: randomIdCard(), phone: '13912345678', address: `${canary}-addr`, village: `${canary}-vil` });
    const h = token('langli-handler');
    // A file filed with the petition is never listed by name: the name may say who came (here, it does).
    expect((await upload(s.url, token('officer1'), p.id, randomUUID(), PNG, 'image/png', `${canary}-身份证.png`)).status).toBe(200);
    const county = await api<CountyPetitionView>(s.url, 'GET', `/api/petitions/${p.id}`, { token: token('officer2') });
    expect(county.body.attachments.map((a) => a.filename)).toEqual([null]);
    expect(JSON.stringify(county.body)).not.toContain(canary);
    // A 交办 deadline that is not a date is refused at the boundary, in words, and the case stays received.
    for (const dueDate of ['2026/12/31', '2026-02-30', '明年']) {
      const bad = await transition(s.url, token('officer1'), p.id, { action: 'refer', dueDate });
      expect(bad.status, dueDate).toBe(400);
      expect(JSON.stringify(bad.body), dueDate).toMatch(/办结期限/);
    }
    expect((await api<CountyPetitionView>(s.url, 'GET', `/api/petitions/${p.id}`, { token: token('officer2') })).body.status).toBe('received');
    expect((await transition(s.url, token('officer1'), p.id, { action: 'refer' })).status).toBe(200);
    expect((await transition(s.url, h, p.id, { action: 'township_accept' }, true)).body.status).toBe('handling');

    const evidence = randomUUID();
    expect((await upload(s.url, h, p.id, evidence, PNG, 'image/png', '走访记录.png', '/api/township/cases')).status).toBe(200);
    const step = await transition(s.url, h, p.id, { action: 'add_step', text: '走访村民三户,调取会议记录', attachmentIds: [evidence] }, true);
    expect(step.status).toBe(200);
    // The same file cannot be attached twice.
    expect((await transition(s.url, h, p.id, { action: 'add_step', text: '再次附上', attachmentIds: [evidence] }, true)).status).toBe(400);
    const file = await fetch(`${s.url}/api/township/cases/${p.id}/attachments/${evidence}`, { headers: { authorization: `Bearer ${h}` } });
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(PNG)).toBe(true);

    expect((await transition(s.url, h, p.id, { action: 'report', text: '经核查,反映问题基本属实,已责令整改' }, true)).body.status).toBe('reported');
    expect((await transition(s.url, token('officer2'), p.id, { action: 'return', text: '请补充整改落实情况的证明材料' })).body.status).toBe('returned');
    const returned = await api<TownshipCaseDetail>(s.url, 'GET', `/api/township/cases/${p.id}`, { token: h });
    expect(returned.body.workflow.steps.at(-1)!.text).toBe('请补充整改落实情况的证明材料');
    expect((await transition(s.url, h, p.id, { action: 'report', text: '已补充整改材料,问题已纠正' }, true)).body.status).toBe('reported');
    // Say it ran late: the county's alert bar shows it, and closing it takes it off at once, not at the next sweep.
    await s.server.db.query(`UPDATE petitions SET due_state = 'overdue' WHERE id = $1`, [p.id]);
    await s.server.ctx.deadlines.publishOverdue();
    const alerted = () => s.server.ctx.calls.alerts.list().some((a) => a.kind === 'case_overdue' && a.caseCode === p.caseCode);
    expect(alerted()).toBe(true);
    const feedback = '您反映的问题经查基本属实,已责令整改并对相关人员批评教育。';
    const closed = await transition(s.url, token('supervisor'), p.id, { action: 'approve', feedback });
    expect(closed.body.status).toBe('closed');
    await waitFor('overdue alert cleared', () => !alerted());

    const wf = await api<CaseWorkflowView>(s.url, 'GET', `/api/petitions/${p.id}/workflow`, { token: token('supervisor') });
    expect(wf.body.steps.map((x) => x.action)).toEqual(['refer', 'township_accept', 'add_step', 'report', 'return', 'report', 'approve']);
    expect(wf.body.steps[2]!.attachments.map((a) => a.id)).toEqual([evidence]);
    // Step evidence is listed by the name its handler gave it, to the county and to the township alike.
    expect(wf.body.steps[2]!.attachments[0]!.filename).toBe('走访记录.png');
    const seen = await api<TownshipCaseDetail>(s.url, 'GET', `/api/township/cases/${p.id}`, { token: h });
    expect(seen.body.workflow.steps.find((x) => x.action === 'add_step')!.attachments[0]!.filename).toBe('走访记录.png');

    const kiosk = await kioskToken(s.url, s.server.demo!.kiosks['jinjing']!);
    const lookup = await api<{ status: string; feedback: string }>(s.url, 'POST', '/api/receipts/lookup', {
      token: kiosk,
      body: { caseCode: p.caseCode, pin: p.pin },
    });
    expect(lookup.status).toBe(200);
    expect(lookup.body).toMatchObject({ status: 'closed', feedback });

    // Nothing the township handler can fetch about the case carries the petitioner's identity or files.
    const everything = JSON.stringify([
      (await api(s.url, 'GET', '/api/township/cases', { token: h })).body,
      (await api(s.url, 'GET', `/api/township/cases/${p.id}`, { token: h })).body,
    ]);
    expect(everything).not.toContain(canary);
  });
});

describe('officials registry and cross-reference', () => {
  it('imports CSV with a per-row error report, then shows prior discipline and repeat allegations for a named official', async () => {
    const officials = [
      '人员编码,姓名,单位编码,单位名称,职务,乡镇',
      'GB-0001,欧阳建业,U-XS-01,星沙街道城建办,主任,xingsha',
      'GB-0002,,U-XS-01,星沙街道城建办,科员,xingsha',
      'GB-0003,"李,红",U-LL-01,榔梨街道财政所,所长,榔梨街道',
      'GB-0004,赵六,U-ZZ-01,某单位,科员,nowhere',
      'GB-0005,欧阳建业,U-LL-02,榔梨街道农办,主任,langli',
    ].join('\r\n');
    const o = await importCsv('officials', `\uFEFF${officials}\r\n`);
    expect(o).toMatchObject({ status: 'done', totalRows: 5, processedRows: 5, importedRows: 3, errorCount: 2 });
    expect(o.errors.map((e) => e.line)).toEqual([3, 5]);

    const discipline = [
      '记录编号,人员编码,处分日期,处分种类,事由,决定机关',
      'D-1,GB-0001,2023-05-10,党内警告,违规收受礼金,县纪委',
      'D-2,GB-9999,2023-05-10,警告,x,县纪委',
      'D-3,GB-0001,2024-02-30,记过,y,县纪委',
    ].join('\n');
    const d = await importCsv('discipline', discipline);
    expect(d).toMatchObject({ status: 'done', importedRows: 1, errorCount: 2 });
    expect(d.errors.map((e) => e.line)).toEqual([3, 4]);

    const bad = await fetch(`${s.url}/api/registry/imports?kind=officials`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token('supervisor')}`, 'content-type': 'text/csv' },
      body: 'foo,bar\n1,2\n',
    });
    expect(bad.status).toBe(400);

    const named = { accused: [{ name: '欧阳建业', unit: '星沙街道城建办', position: '', townshipCode: null, officialCode: null }] };
    const first = await submit('xingsha', named);
    const second = await submit('xingsha', named);
    const x = await api<CrossReferenceView>(s.url, 'GET', `/api/petitions/${second.id}/cross-reference`, { token: token('officer1') });
    expect(x.status).toBe(200);
    const m = x.body.accused[0]!.matches;
    expect(m.map((e) => e.code)).toEqual(['GB-0001']); // the unit tells the two 欧阳建业 apart
    expect(m[0]!.linked).toBe(true);
    expect(m[0]!.discipline.map((r) => r.kind)).toEqual(['党内警告']);
    expect(m[0]!.otherPetitions.map((r) => r.caseCode)).toEqual([first.caseCode]);

    const search = await api<{ items: { code: string }[] }>(s.url, 'GET', `/api/registry/officials?q=${encodeURIComponent('欧阳建')}`, {
      token: token('officer1'),
    });
    expect(search.body.items.map((i) => i.code).sort()).toEqual(['GB-0001', 'GB-0005']);
  });
});

describe('statistics', () => {
  it('counts per township and month, and exports CSV with no identity', async () => {
    const canary = `STATCANARY${randomUUID().slice(0, 6)}`;
    await submit('kaihui', {}, { name: canary, idCard: '', phone: '', address: '', village: '' });
    const stats = await api<CaseStatsView>(s.url, 'GET', '/api/stats?months=3', { token: token('supervisor') });
    expect(stats.status).toBe(200);
    const total = await s.server.db.query<{ n: string }>('SELECT count(*) AS n FROM petitions');
    expect(stats.body.totals.received).toBe(Number(total.rows[0]!.n));
    expect(stats.body.townships.reduce((n, t) => n + t.received, 0)).toBe(stats.body.totals.received);
    expect(stats.body.townships.find((t) => t.townshipCode === 'kaihui')!.received).toBeGreaterThanOrEqual(1);
    expect(stats.body.months).toHaveLength(3);
    expect(stats.body.months.at(-1)!.received).toBeGreaterThanOrEqual(1);
    expect(stats.body.totals.closed).toBeGreaterThanOrEqual(1);

    const csv = await fetch(`${s.url}/api/stats/export?months=3`, { headers: { authorization: `Bearer ${token('supervisor')}` } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const text = await csv.text();
    expect(text.split('\r\n')[0]).toContain('乡镇,乡镇代码,登记总数');
    expect(text).not.toContain(canary);
    expect(text).not.toContain('反映村干部'); // no narrative either
  });
});

describe('the deadline policy', () => {
  it('a supervisor changes it over the API, audited, and the next petition runs on the new clock at once', async () => {
    type PolicyView = {
      rows: { matterClass: string; kind: string; days: number; counting: 'calendar' | 'working'; dueSoonDays: number; maxCount: number }[];
      exceptions: { day: string; working: boolean; note: string }[];
    };
    const before = await api<PolicyView>(s.url, 'GET', '/api/case-policy', { token: token('supervisor') });
    expect(before.status).toBe(200);
    const accept = before.body.rows.find((r) => r.kind === 'accept')!;
    await submit('langli'); // intake now holds a copy of the policy in force
    const refused = await api(s.url, 'PUT', '/api/case-policy', { token: token('officer1'), body: { rows: [{ ...accept, days: 3 }] } });
    expect(refused.status).toBe(403);

    const changed = { ...accept, days: accept.days + 30, counting: 'calendar' as const };
    const saved = await api<PolicyView>(s.url, 'PUT', '/api/case-policy', {
      token: token('supervisor'),
      body: { rows: [changed], exceptions: before.body.exceptions },
    });
    try {
      expect(saved.status).toBe(200);
      expect(saved.body.rows.find((r) => r.kind === 'accept')).toMatchObject({ days: changed.days, counting: 'calendar' });
      const audit = await s.server.db.query<{ details: Record<string, unknown> }>(
        `SELECT details FROM audit_log WHERE action = 'case.policy' ORDER BY seq DESC LIMIT 1`,
      );
      expect(audit.rows[0]!.details).toMatchObject({ [`${accept.matterClass}.accept`]: `${changed.days}c` });

      const p = await submit('langli');
      const row = (await s.server.db.query<{ created_at: Date; accept_due_at: Date }>('SELECT created_at, accept_due_at FROM petitions WHERE id = $1', [p.id]))
        .rows[0]!;
      const localDay = (t: Date) => Math.floor((t.getTime() + 8 * 3600_000) / 86_400_000);
      expect(localDay(row.accept_due_at) - localDay(row.created_at)).toBe(changed.days);
    } finally {
      const restored = await api(s.url, 'PUT', '/api/case-policy', {
        token: token('supervisor'),
        body: { rows: [accept], exceptions: before.body.exceptions },
      });
      expect(restored.status).toBe(200);
    }
  });
});

describe('matter classes and the named-accuser notices over the API', () => {
  type ErrorBody = { error: { code: string; message: string } };

  it('a 其他 without the body that handles it, or a policy row that does not exist, is refused in Chinese and changes nothing', async () => {
    const before = await dbFingerprint(s);
    const other = await api<ErrorBody>(s.url, 'POST', '/api/petitions', {
      token: token('officer1'),
      body: petitionBody('xingsha', null, { matterClass: 'other' }),
    });
    expect(other.status).toBe(400);
    expect(other.body.error.message).toContain('须写明由哪个单位办理');
    const unknownClass = await api<ErrorBody>(s.url, 'POST', '/api/petitions', {
      token: token('officer1'),
      body: petitionBody('xingsha', null, { matterClass: '信访' }),
    });
    expect(unknownClass.status).toBe(400);
    const policy = await api<ErrorBody>(s.url, 'PUT', '/api/case-policy', {
      token: token('supervisor'),
      body: { rows: [{ matterClass: 'other', kind: 'notice_result', days: 10, counting: 'working', dueSoonDays: 1, maxCount: 1 }] },
    });
    expect(policy.status).toBe(400);
    expect(policy.body.error.message).toContain('没有这条期限规则');
    expect(await dbFingerprint(s)).toBe(before);
  });

  it('a named accusation shows on the feedback screen once decided; the notice is recorded, the kiosk shows it, and a township sees none of it', async () => {
    const p = await submit('xingsha', { matterClass: 'accusation' }, { name: '李某', idCard: randomIdCard(), phone: '', address: '', village: '' });
    const referred = await transition(s.url, token('officer1'), p.id, { action: 'refer', handlerId: null });
    expect(referred.status).toBe(200);
    const list = await api<{ items: { id: string; kind: string; dueState: string; dueAt: string | null }[] }>(s.url, 'GET', '/api/cases/notices', {
      token: token('officer1'),
    });
    expect(list.status).toBe(200);
    expect(list.body.items.filter((n) => n.id === p.id).map((n) => n.kind)).toEqual(['accept']);

    const before = await dbFingerprint(s);
    const bad = await transition(s.url, token('officer1'), p.id, { action: 'notify_accept', via: 'pigeon', text: '您的检举已受理' });
    expect(bad.status).toBe(400);
    const short = await transition(s.url, token('officer1'), p.id, { action: 'notify_accept', via: 'phone', text: '好' });
    expect(short.status).toBe(400);
    expect((short.body as unknown as ErrorBody).error.message).toContain('请填写告知内容');
    const byTownship = await transition(s.url, token('xingsha-handler'), p.id, { action: 'notify_accept', via: 'phone', text: '您的检举已受理' }, true);
    expect(byTownship.status).toBe(403);
    const afterRefusals = await dbFingerprint(s);
    // Only the township's refusal is audited (auth.refused); the case and its steps are untouched.
    expect(afterRefusals.replace(/audit_log=\d+ /, '').replace(/audit_head=\d+/, '')).toBe(before.replace(/audit_log=\d+ /, '').replace(/audit_head=\d+/, ''));

    const told = await api<CaseWorkflowView>(s.url, 'POST', `/api/petitions/${p.id}/transition`, {
      token: token('officer1'),
      body: { stepId: randomUUID(), action: 'notify_accept', via: 'phone', text: '您的检举已受理，已交镇纪委办理' },
    });
    expect(told.status).toBe(200);
    expect(told.body.notices?.acceptGivenAt).toBeTruthy();
    const after = await api<{ items: { id: string }[] }>(s.url, 'GET', '/api/cases/notices', { token: token('officer1') });
    expect(after.body.items.some((n) => n.id === p.id)).toBe(false);

    const kiosk = await kioskToken(s.url, s.server.demo!.kiosks['xingsha']!);
    const lookup = await api<{ matterClass: string; notices: { kind: string; text: string }[] }>(s.url, 'POST', '/api/receipts/lookup', {
      token: kiosk,
      body: { caseCode: p.caseCode, pin: p.pin },
    });
    expect(lookup.status).toBe(200);
    expect(lookup.body.matterClass).toBe('accusation');
    expect(lookup.body.notices).toMatchObject([{ kind: 'accept', text: '您的检举已受理，已交镇纪委办理' }]);

    const seen = await api<TownshipCaseDetail>(s.url, 'GET', `/api/township/cases/${p.id}`, { token: token('xingsha-handler') });
    expect(seen.status).toBe(200);
    expect(seen.body.workflow.named).toBeNull();
    expect(seen.body.workflow.notices).toBeNull();
    // Nor the county's acceptance deadline, counted from the day the petition came in (the visit day).
    expect(seen.body.workflow.acceptDueAt).toBeNull();
    const countySide = await api<CaseWorkflowView>(s.url, 'GET', `/api/petitions/${p.id}/workflow`, { token: token('officer1') });
    expect(countySide.status).toBe(200);
    expect(countySide.body.acceptDueAt).toBeTruthy();
    expect(JSON.stringify(seen.body)).not.toContain('notify_accept');
    expect(JSON.stringify(seen.body)).not.toContain('已交镇纪委办理');
  });
});
