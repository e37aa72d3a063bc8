// Topology: pinned — it stops and starts its one in-process server. A cluster's takeover of a dead node's calls goes
// through the same restore (sessions/reconnect.ts), which this exercises.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/api.js';
import { kioskToken, linkOfficer2, loginAll, officer2Accused, petitionBody, type Logins } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';
import { connect, send, type TestSocket } from '../helpers/sockets.js';

// 保密与回避 across a restart (issue 16): a seal that committed while the process went away never took its watchers
// out of the call (the try was lost with the process). The call comes back from the database with every participant
// listed there, so the rules are applied again when it is restored, before anyone rejoins.
describe('a call restored after a restart applies the seal and recusal rules again', () => {
  let s: InProcessServer;
  let logins: Logins;
  const sockets: TestSocket[] = [];
  const token = (who: string) => logins[who]!.accessToken;
  const socket = async (t: string) => {
    const c = await connect(s.url, t);
    sockets.push(c);
    return c;
  };

  beforeAll(async () => {
    s = await startInProcess({ RECORDING: 'off', RECONNECT_GRACE_S: '60' });
    logins = await loginAll(s.url, ['officer1', 'officer2', 'supervisor', 'admin', 'xingsha-staff']);
    // officer2 is the registry's 吴海涛, linked as an administrator links a staff account.
    expect((await linkOfficer2(s.url, token('admin'), logins['officer2']!.user.id)).status).toBe(200);
  }, 120_000);
  /** What the server holds of the call now: its participants' roles. */
  const rolesIn = (sessionId: string) => [...(s.server.ctx.calls.session(sessionId)?.peers.values() ?? [])].map((p) => p.role).sort();
  const withdrawals = async (sessionId: string) =>
    (
      await s.server.ctx.db.query<{ actor_id: string | null; object_id: string; details: Record<string, unknown> }>(
        `SELECT actor_id, object_id, details FROM audit_log WHERE action = 'session.withdraw' AND details->>'sessionId' = $1`,
        [sessionId],
      )
    ).rows;
  /** A kiosk's call answered by `answerer`, watched by the supervisor (listening only). */
  async function watchedCall(room: string, answerer: string) {
    const kioskTok = await kioskToken(s.url, s.server.demo!.kiosks[room]!);
    const kiosk = await socket(kioskTok);
    const started = await send(kiosk, 'call:start', { requestId: randomUUID() });
    if (!started.ok) throw new Error('call did not start');
    const { sessionId } = started.data;
    const officer = await socket(token(answerer));
    expect(await send(officer, 'call:answer', { sessionId })).toMatchObject({ ok: true });
    const supervisor = await socket(token('supervisor'));
    expect(await send(supervisor, 'session:watch', { sessionId, mode: 'monitor' })).toMatchObject({ ok: true });
    return { sessionId, kioskTok };
  }
  afterAll(async () => {
    for (const k of sockets) k.close();
    await s?.stop();
  });

  it('a matter sealed as the process stopped: the watching supervisor is not restored into the call, the villager and the filer are', async () => {
    const { sessionId, kioskTok } = await watchedCall('ansha', 'officer1');
    // A matter from the call that names nobody in it: nobody leaves.
    const filed = await api<{ sealed: boolean }>(s.url, 'POST', '/api/petitions', {
      token: token('officer1'),
      body: petitionBody('ansha', null, { sessionId }),
    });
    expect(filed.status, JSON.stringify(filed.body)).toBe(200);
    const roles = () => rolesIn(sessionId);
    expect(roles()).toEqual(['county_officer', 'county_supervisor', 'kiosk']);

    // The seal commits, and the process stops before taking anyone out (as on a node that died just then).
    const supervisorId = logins['supervisor']!.user.id;
    const sealed = await s.server.ctx.db.query(
      `UPDATE petitions SET sealed = true, sealed_at = now(), sealed_by = $2, sealed_reason = '反映县纪委监委领导班子成员问题' WHERE session_id = $1`,
      [sessionId, supervisorId],
    );
    expect(sealed.rowCount).toBe(1);
    for (const k of sockets.splice(0)) k.close();
    await s.restart();

    // Restored without the supervisor; the villager's call goes on with the officer who filed it.
    expect(roles()).toEqual(['county_officer', 'kiosk']);
    // The server's own action (no actor), the cause and the call only.
    expect(await withdrawals(sessionId)).toEqual([{ actor_id: null, object_id: supervisorId, details: { cause: 'sealed', sessionId } }]);
    const left = await s.server.ctx.db.query<{ leave_reason: string | null }>(
      `SELECT leave_reason FROM session_participants WHERE session_id = $1 AND user_id = $2`,
      [sessionId, supervisorId],
    );
    expect(left.rows.map((r) => r.leave_reason)).toEqual(['withdrawn']);

    // The supervisor's console cannot rejoin or watch it again; the kiosk and the officer rejoin it.
    const supervisor2 = await socket(token('supervisor'));
    expect((await send(supervisor2, 'session:rejoin', { sessionId })).ok).toBe(false);
    expect((await send(supervisor2, 'session:watch', { sessionId, mode: 'monitor' })).ok).toBe(false);
    const kiosk2 = await socket(kioskTok);
    expect(await send(kiosk2, 'session:rejoin', { sessionId })).toMatchObject({ ok: true });
    const officer2 = await socket(token('officer1'));
    expect(await send(officer2, 'session:rejoin', { sessionId })).toMatchObject({ ok: true });
    expect(roles()).toEqual(['county_officer', 'kiosk']);
  }, 120_000);

  it('the officer who answered stays: kept at filing because only they carried the call, they are not taken out after the restart', async () => {
    // officer2 answers and files a matter naming themself; the supervisor only listens, so officer2 alone carries
    // the call and stays (the villager is never cut off). After a restart everyone comes back as talking (how each
    // took part is not stored): the listener must not be taken for the one carrying it, and officer2 must stay.
    const { sessionId } = await watchedCall('huanghua', 'officer2');
    const filed = await api(s.url, 'POST', '/api/petitions', {
      token: token('officer2'),
      body: petitionBody('huanghua', null, { sessionId, accused: [officer2Accused] }),
    });
    expect(filed.status, JSON.stringify(filed.body)).toBe(200);
    expect(rolesIn(sessionId)).toEqual(['county_officer', 'county_supervisor', 'kiosk']);
    for (const k of sockets.splice(0)) k.close();
    await s.restart();
    expect(rolesIn(sessionId)).toEqual(['county_officer', 'county_supervisor', 'kiosk']);
    expect(await withdrawals(sessionId)).toEqual([]);
  }, 120_000);

  it('a township intake sealed as the process stopped: its reception staff carry it and the filer stays, the listening supervisor is not restored', async () => {
    const kiosk = await socket(await kioskToken(s.url, s.server.demo!.kiosks['xingsha']!));
    const staff = await socket(token('xingsha-staff'));
    const started = await send(staff, 'staff:startIntake', { requestId: randomUUID() });
    if (!started.ok) throw new Error(`intake did not start: ${JSON.stringify(started)}`);
    const sessionId = started.data.session.sessionId;
    expect(await send(kiosk, 'session:rejoin', { sessionId })).toMatchObject({ ok: true });
    // officer1 listens in and files the matter from the intake; the supervisor listens too.
    const officer = await socket(token('officer1'));
    expect(await send(officer, 'session:watch', { sessionId, mode: 'monitor' })).toMatchObject({ ok: true });
    const supervisor = await socket(token('supervisor'));
    expect(await send(supervisor, 'session:watch', { sessionId, mode: 'monitor' })).toMatchObject({ ok: true });
    const filed = await api(s.url, 'POST', '/api/petitions', { token: token('officer1'), body: petitionBody('xingsha', null, { sessionId }) });
    expect(filed.status, JSON.stringify(filed.body)).toBe(200);
    expect(rolesIn(sessionId)).toEqual(['county_officer', 'county_supervisor', 'kiosk', 'township_staff']);
    const sealed = await s.server.ctx.db.query(
      `UPDATE petitions SET sealed = true, sealed_at = now(), sealed_by = $2, sealed_reason = '反映县纪委监委领导班子成员问题' WHERE session_id = $1`,
      [sessionId, logins['supervisor']!.user.id],
    );
    expect(sealed.rowCount).toBe(1);
    for (const k of sockets.splice(0)) k.close();
    await s.restart();
    expect(rolesIn(sessionId)).toEqual(['county_officer', 'kiosk', 'township_staff']);
    expect((await withdrawals(sessionId)).map((r) => [r.actor_id, r.object_id, r.details['cause']])).toEqual([[null, logins['supervisor']!.user.id, 'sealed']]);
  }, 120_000);
});
