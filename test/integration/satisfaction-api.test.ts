import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FollowUpListAnswer, FollowUpTaskView, ReceiptRatingAnswer, ReceiptStatusView } from '@vj/shared';
import { api } from '../helpers/api.js';
import { kioskToken, loginAll, petitionBody, transition, type Logins } from '../helpers/fixtures.js';
import { dbFingerprint, startInProcess, type InProcessServer } from '../helpers/inprocess.js';

type ErrorBody = { error: { code: string; message: string } };
let s: InProcessServer;
let logins: Logins;
const token = (who: string) => logins[who]!.accessToken;

beforeAll(async () => {
  s = await startInProcess();
  logins = await loginAll(s.url);
});
afterAll(async () => s?.stop());

describe('satisfaction over the API: the kiosk rates, the county follows up, a township sees nothing', () => {
  it('rating, refusals that change nothing, the follow-up list and its closing, the CSV counts', async () => {
    const b = petitionBody('langli', null);
    const filed = await api<{ caseCode: string; pin: string }>(s.url, 'POST', '/api/petitions', { token: token('officer1'), body: b });
    expect(filed.status).toBe(200);
    const step = async (who: string, body: Record<string, unknown>) =>
      expect((await transition(s.url, token(who), b.id, { stepId: randomUUID(), ...body })).status).toBe(200);
    await step('officer1', { action: 'accept' });
    await step('officer1', { action: 'report', text: '经核查，反映问题属实，已处理' });
    await step('supervisor', { action: 'approve', feedback: '您反映的问题属实，已处理相关人员。' });

    const kiosk = await kioskToken(s.url, s.server.demo!.kiosks['xingsha']!);
    const receipt = { caseCode: filed.body.caseCode, pin: filed.body.pin };
    const lookup = await api<ReceiptStatusView>(s.url, 'POST', '/api/receipts/lookup', { token: kiosk, body: receipt });
    expect(ReceiptStatusView.parse(lookup.body).satisfaction).toEqual({ state: 'open', rating: null });

    // Bad bodies are refused in Chinese where a person would read them, and change nothing.
    const before = await dbFingerprint(s);
    const badRating = await api<ErrorBody>(s.url, 'POST', '/api/receipts/rating', { token: kiosk, body: { ...receipt, rating: 'great' } });
    expect(badRating.status).toBe(400);
    const longText = await api<ErrorBody>(s.url, 'POST', '/api/receipts/rating', {
      token: kiosk,
      body: { ...receipt, rating: 'unsatisfied', text: '字'.repeat(201) },
    });
    expect(longText.status).toBe(400);
    // Only kiosks rate: a console login is not a kiosk credential (and that refusal is the one thing audited).
    const byOfficer = await api<ErrorBody>(s.url, 'POST', '/api/receipts/rating', { token: token('officer1'), body: { ...receipt, rating: 'unsatisfied' } });
    expect([401, 403]).toContain(byOfficer.status);
    const strip = (f: string) => f.replace(/audit_log=\d+ /, '').replace(/audit_head=\d+/, '');
    expect(strip(await dbFingerprint(s))).toBe(strip(before));

    const rated = await api<ReceiptRatingAnswer>(s.url, 'POST', '/api/receipts/rating', {
      token: kiosk,
      body: { ...receipt, rating: 'unsatisfied', reasons: ['attitude'] },
    });
    expect(rated.status).toBe(200);
    expect(ReceiptRatingAnswer.parse(rated.body).rating).toBe('unsatisfied');
    const again = await api<ErrorBody>(s.url, 'POST', '/api/receipts/rating', { token: kiosk, body: { ...receipt, rating: 'satisfied' } });
    expect([again.status, again.body.error.code]).toEqual([409, 'CONFLICT']);
    expect(again.body.error.message).toContain('已经评价过');

    // The county's list; a township role learns nothing of ratings or their follow-ups.
    const list = await api<FollowUpListAnswer>(s.url, 'GET', '/api/cases/follow-ups', { token: token('officer1') });
    expect(list.status).toBe(200);
    const task = FollowUpListAnswer.parse(list.body).items.find((t) => t.petitionId === b.id);
    expect(task).toMatchObject({ caseCode: receipt.caseCode, townshipCode: 'langli', rating: 'unsatisfied', reasons: ['attitude'], closedAt: null });
    for (const who of ['langli-handler', 'xingsha-staff']) {
      expect((await api(s.url, 'GET', '/api/cases/follow-ups', { token: token(who) })).status).toBe(403);
      expect((await api(s.url, 'GET', '/api/stats', { token: token(who) })).status).toBe(403);
    }

    const byOfficerClose = await api(s.url, 'POST', `/api/cases/follow-ups/${task!.id}/close`, {
      token: token('officer1'),
      body: { note: '已电话回访，群众表示理解' },
    });
    expect(byOfficerClose.status).toBe(403);
    const shortNote = await api<ErrorBody>(s.url, 'POST', `/api/cases/follow-ups/${task!.id}/close`, { token: token('supervisor'), body: { note: '好' } });
    expect(shortNote.status).toBe(400);
    expect(shortNote.body.error.message).toMatch(/[\u4e00-\u9fff]/);
    const closed = await api<FollowUpTaskView>(s.url, 'POST', `/api/cases/follow-ups/${task!.id}/close`, {
      token: token('supervisor'),
      body: { note: '已电话回访，群众表示理解' },
    });
    expect(closed.status).toBe(200);
    expect(FollowUpTaskView.parse(closed.body).closeNote).toBe('已电话回访，群众表示理解');
    const closedList = await api<FollowUpListAnswer>(s.url, 'GET', '/api/cases/follow-ups?state=closed', { token: token('supervisor') });
    expect(closedList.body.items.map((t) => t.id)).toContain(task!.id);

    const csv = await fetch(`${s.url}/api/stats/export?months=3`, { headers: { authorization: `Bearer ${token('supervisor')}` } });
    const text = await csv.text();
    expect(text).toContain('满意度评价：乡镇,乡镇代码,满意,基本满意,不满意,评价总数,满意率（含基本满意，%）');
    expect(text).toMatch(/,langli,0,0,1,1,0\r\n/);
    expect(text).not.toContain(receipt.caseCode);
  });
});
