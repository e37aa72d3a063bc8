import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CountyPetitionView } from '@vj/shared';
import { api } from '../helpers/api.js';
import { PNG, loginAll, petitionBody, transition, upload, type Logins } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';

// Issue 12, point 14: a township handler's unattached uploads filled the case's 10-file limit and the county's
// next upload got 400. Limits now count per uploader, and unattached step evidence is swept after a day.

let s: InProcessServer;
let logins: Logins;
const token = (who: string) => logins[who]!.accessToken;

beforeAll(async () => {
  s = await startInProcess();
  logins = await loginAll(s.url, ['officer1', 'supervisor', 'langli-handler']);
});
afterAll(async () => s?.stop());

async function referredCase() {
  const b = petitionBody('langli');
  expect((await api(s.url, 'POST', '/api/petitions', { token: token('officer1'), body: b })).status).toBe(200);
  expect((await upload(s.url, token('officer1'), b.id, randomUUID(), PNG, 'image/png', '现场照片.png')).status).toBe(200);
  expect((await transition(s.url, token('officer1'), b.id, { action: 'refer' })).status).toBe(200);
  expect((await transition(s.url, token('langli-handler'), b.id, { action: 'township_accept' }, true)).status).toBe(200);
  return b.id;
}

const handlerUpload = (id: string, attachmentId = randomUUID()) =>
  upload(s.url, token('langli-handler'), id, attachmentId, PNG, 'image/png', '走访记录.png', '/api/township/cases');

/** The county's evidence for a step it is about to record, as its workflow panel uploads it. */
async function countyStepUpload(who: string, id: string, attachmentId = randomUUID()) {
  const res = await fetch(`${s.url}/api/petitions/${id}/attachments/${attachmentId}?purpose=step`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token(who)}`, 'content-type': 'image/png', 'x-filename': encodeURIComponent('核查材料.png') },
    body: new Uint8Array(PNG),
  });
  return { status: res.status, body: await res.text() };
}
const intakeUpload = (who: string, id: string, attachmentId = randomUUID()) => upload(s.url, token(who), id, attachmentId, PNG, 'image/png', '补充材料.png');

describe('evidence limits count per uploader', () => {
  it("a handler's unattached uploads never block the county's uploads", async () => {
    const id = await referredCase();
    const handlerFiles: string[] = [];
    for (let i = 0; i < 9; i++) {
      const a = randomUUID();
      expect((await handlerUpload(id, a)).status).toBe(200);
      handlerFiles.push(a);
    }
    // 1 intake file + 9 of the handler's made the case's old limit of 10: the county's next file was refused.
    expect((await intakeUpload('officer1', id)).status).toBe(200);
    expect((await countyStepUpload('officer1', id)).status).toBe(200);

    // The handler holds at most 10 files no step has claimed; a step that claims some makes room again.
    expect((await handlerUpload(id)).status).toBe(200);
    const eleventh = await handlerUpload(id);
    expect(eleventh.status).toBe(400);
    expect(JSON.stringify(eleventh.body)).toContain('尚未附到办理记录的材料');
    expect(
      (await transition(s.url, token('langli-handler'), id, { action: 'add_step', text: '走访村民', attachmentIds: handlerFiles.slice(0, 3) }, true)).status,
    ).toBe(200);
    expect((await handlerUpload(id)).status).toBe(200);

    // Files filed with the petition stay at 10 (the intake form's promise), whoever uploads them; the county's
    // step evidence is counted apart, per uploader.
    for (let i = 0; i < 8; i++) expect((await intakeUpload(i % 2 ? 'officer1' : 'supervisor', id)).status).toBe(200);
    const intakeFull = await intakeUpload('supervisor', id);
    expect(intakeFull.status).toBe(400);
    expect(JSON.stringify(intakeFull.body)).toContain('随件提交的材料最多 10 个');
    expect((await countyStepUpload('supervisor', id)).status).toBe(200);
    for (let i = 0; i < 9; i++) expect((await countyStepUpload('officer1', id)).status).toBe(200);
    expect((await countyStepUpload('officer1', id)).status).toBe(400);
  });
});

describe('unattached step evidence is swept', () => {
  it("after a day: the handler's and the county's unclaimed step files go, each audited; claimed, recent and intake files stay", async () => {
    const id = await referredCase();
    const [claimed, stale, recent, countyStale, intake] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    for (const a of [claimed, stale, recent]) expect((await handlerUpload(id, a)).status).toBe(200);
    expect((await countyStepUpload('officer1', id, countyStale)).status).toBe(200);
    expect((await intakeUpload('officer1', id, intake)).status).toBe(200);
    expect((await transition(s.url, token('langli-handler'), id, { action: 'add_step', text: '调取会议记录', attachmentIds: [claimed] }, true)).status).toBe(
      200,
    );
    await s.server.db.query(`UPDATE petition_attachments SET uploaded_at = now() - interval '25 hours' WHERE id = ANY($1::uuid[])`, [
      [claimed, stale, countyStale, intake],
    ]);

    // The periodic sweep may get there first; either way the outcome is the same.
    await s.server.ctx.attachments.sweepUnlinked();
    const left = await s.server.db.query<{ id: string }>('SELECT id FROM petition_attachments WHERE petition_id = $1', [id]);
    const ids = left.rows.map((r) => r.id);
    for (const kept of [claimed, recent, intake]) expect(ids).toContain(kept);
    for (const gone of [stale, countyStale]) expect(ids).not.toContain(gone);

    const audit = await s.server.db.query<{ object_id: string; actor_id: string | null; township_code: string; details: Record<string, unknown> }>(
      `SELECT object_id, actor_id, township_code, details FROM audit_log WHERE action = 'attachment.discard' AND object_id = ANY($1::text[]) ORDER BY object_id`,
      [[stale, countyStale]],
    );
    expect(audit.rows.map((r) => r.object_id).sort()).toEqual([stale, countyStale].sort());
    for (const r of audit.rows)
      expect(r).toMatchObject({ actor_id: null, township_code: 'langli', details: { petitionId: id, reason: 'never_attached_to_a_step' } });
    const uploaders = Object.fromEntries(audit.rows.map((r) => [r.object_id, r.details['uploadedBy']]));
    expect(uploaders).toEqual({ [stale]: logins['langli-handler']!.user.id, [countyStale]: logins['officer1']!.user.id });

    // The case reads as before, less the two abandoned files.
    const view = await api<CountyPetitionView>(s.url, 'GET', `/api/petitions/${id}`, { token: token('officer1') });
    expect(view.body.attachments.map((a) => a.id).sort()).toEqual(ids.sort());
    expect(await s.server.ctx.attachments.sweepUnlinked()).toBe(0);
  });
});
