import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/api.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { kioskToken, loginAll, petitionBody, type Logins } from '../helpers/fixtures.js';
import { dbFingerprint, startInProcess, type InProcessServer } from '../helpers/inprocess.js';
import { waitFor } from '../helpers/poll.js';
import { adminDatabaseUrl, required } from '../helpers/services.js';
import { connect, eventWhere, send, type TestSocket } from '../helpers/sockets.js';

// Issue 12, point 7: the villager's case code and PIN go to the kiosk of the call the petition came from, and
// only when the one filing it is in that call, for that room.

type Receipt = { sessionId: string; caseCode: string; pin: string };
type Submitted = { status: number; body: { petitionId?: string; caseCode?: string; pushedToKiosk?: boolean; error?: { code: string; message: string } } };

/** A kiosk of `room` calling, with every receipt it is shown. */
async function ringing(url: string, credential: string, sockets: TestSocket[]) {
  const kiosk = await connect(url, await kioskToken(url, credential));
  sockets.push(kiosk);
  const receipts: Receipt[] = [];
  kiosk.on('session:receipt', (r: Receipt) => receipts.push(r));
  const started = await send(kiosk, 'call:start', { requestId: randomUUID() });
  expect(started.ok).toBe(true);
  return { kiosk, receipts, sessionId: started.ok ? started.data.sessionId : '' };
}

const file = (url: string, token: string, body: ReturnType<typeof petitionBody>) => api(url, 'POST', '/api/petitions', { token, body }) as Promise<Submitted>;

/** Table counts except the audit log: a refusal of a known user is itself audited, and nothing else may change. */
const withoutAudit = (fp: string) => fp.replace(/audit_log=\d+ /, '').replace(/ audit_head=\d+/, '');

describe('a receipt reaches only the kiosk of the call its filer is in', () => {
  let s: InProcessServer;
  let logins: Logins;
  const sockets: TestSocket[] = [];
  const token = (who: string) => logins[who]!.accessToken;
  beforeAll(async () => {
    s = await startInProcess();
    logins = await loginAll(s.url, ['officer1', 'officer2', 'supervisor']);
  });
  afterAll(async () => {
    for (const k of sockets) k.close();
    await s?.stop();
  });

  it('refuses a petition bound to a ringing call its filer is not in: 403, nothing filed, nothing pushed', async () => {
    const call = await ringing(s.url, s.server.demo!.kiosks['xingsha']!, sockets);
    const before = withoutAudit(await dbFingerprint(s));
    const body = petitionBody('xingsha', null, { sessionId: call.sessionId });
    const refused = await file(s.url, token('supervisor'), body);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'FORBIDDEN' });
    expect(refused.body.error!.message).toContain('您没有参加该接访会话');
    expect(withoutAudit(await dbFingerprint(s))).toBe(before);
    expect((await s.server.db.query('SELECT 1 FROM petitions WHERE id = $1', [body.id])).rowCount).toBe(0);
    const audited = await s.server.db.query(`SELECT 1 FROM audit_log WHERE action = 'auth.refused' AND actor_id = $1 AND object_id = 'POST /api/petitions'`, [
      logins['supervisor']!.user.id,
    ]);
    expect(audited.rowCount).toBe(1);

    // An unknown session is not found, and is not filed either.
    const unknown = await file(s.url, token('supervisor'), petitionBody('xingsha', null, { sessionId: randomUUID() }));
    expect(unknown.status).toBe(404);

    // The officer who answers files it: the kiosk shows that receipt, the only one it ever got.
    const officer = await connect(s.url, token('officer1'));
    sockets.push(officer);
    expect(await send(officer, 'call:answer', { sessionId: call.sessionId })).toMatchObject({ ok: true });
    const shown = eventWhere<Receipt>(call.kiosk, 'session:receipt', () => true);
    const ok = await file(s.url, token('officer1'), petitionBody('xingsha', null, { sessionId: call.sessionId }));
    expect(ok.status).toBe(200);
    expect(ok.body.pushedToKiosk).toBe(true);
    expect((await shown).caseCode).toBe(ok.body.caseCode);
    expect(call.receipts.map((r) => r.caseCode)).toEqual([ok.body.caseCode]);
    await send(call.kiosk, 'session:end', { sessionId: call.sessionId });
  });

  it("refuses a participant filing another room's petition against the call", async () => {
    const call = await ringing(s.url, s.server.demo!.kiosks['langli']!, sockets);
    const officer = await connect(s.url, token('officer2'));
    sockets.push(officer);
    expect(await send(officer, 'call:answer', { sessionId: call.sessionId })).toMatchObject({ ok: true });
    const body = petitionBody('xingsha', null, { sessionId: call.sessionId });
    const refused = await file(s.url, token('officer2'), body);
    expect(refused.status).toBe(403);
    expect(refused.body.error!.message).toContain('接待室不一致');
    expect((await s.server.db.query('SELECT 1 FROM petitions WHERE id = $1', [body.id])).rowCount).toBe(0);
    // A supervisor monitoring the call is in it: a staff-led intake is written up that way.
    const supervisor = await connect(s.url, token('supervisor'));
    sockets.push(supervisor);
    expect(await send(supervisor, 'session:watch', { sessionId: call.sessionId, mode: 'monitor' })).toMatchObject({ ok: true });
    const monitored = await file(s.url, token('supervisor'), petitionBody('langli', null, { sessionId: call.sessionId }));
    expect(monitored.status).toBe(200);
    expect(monitored.body.pushedToKiosk).toBe(true);
    await waitFor('the receipt on the kiosk', () => call.receipts.length === 1);
    expect(call.receipts[0]!.caseCode).toBe(monitored.body.caseCode);

    // After the call: whoever took part may still file it against the session (the write-up often ends later),
    // but no kiosk is shown anything.
    await send(call.kiosk, 'session:end', { sessionId: call.sessionId });
    const late = await file(s.url, token('officer2'), petitionBody('langli', null, { sessionId: call.sessionId }));
    expect(late.status).toBe(200);
    expect(late.body.pushedToKiosk).toBe(false);
    await send(call.kiosk, 'rooms:list', {}); // acknowledged after anything pushed before it
    expect(call.receipts).toHaveLength(1);
  });
});

describe('across signaling nodes: the session owner checks the filer again', () => {
  if (!adminDatabaseUrl) {
    // A cluster needs the real PostgreSQL; npm test always has one (and CI requires it).
    it('needs DATABASE_URL', () => expect(required).toBe(false));
    return;
  }
  let c: TestCluster;
  const sockets: TestSocket[] = [];
  beforeAll(async () => {
    c = await startTestCluster();
  });
  afterAll(async () => {
    for (const k of sockets) k.close();
    await c?.stop();
  });

  it('a filer on another node reaches the kiosk when in the call, and not when merely filing from outside it', async () => {
    const first = c.signaling[0]!;
    const second = c.signaling[1]!;
    const call = await ringing(first.url, c.demoSecrets().kiosks['xingsha']!, sockets);
    const logins = await loginAll(second.url, ['officer1', 'supervisor']);
    // The officer answers through the first node (the session's owner) and files through the second.
    const officer = await connect(first.url, logins['officer1']!.accessToken);
    sockets.push(officer);
    const outsider = await file(second.url, logins['supervisor']!.accessToken, petitionBody('xingsha', null, { sessionId: call.sessionId }));
    expect(outsider.status).toBe(403);
    expect(await send(officer, 'call:answer', { sessionId: call.sessionId })).toMatchObject({ ok: true });
    const ok = await file(second.url, logins['officer1']!.accessToken, petitionBody('xingsha', null, { sessionId: call.sessionId }));
    expect(ok.status).toBe(200);
    expect(ok.body.pushedToKiosk).toBe(true);
    await waitFor('the receipt on the kiosk', () => call.receipts.length === 1);
    expect(call.receipts[0]!.caseCode).toBe(ok.body.caseCode);
    await send(call.kiosk, 'session:end', { sessionId: call.sessionId });
  });
});
