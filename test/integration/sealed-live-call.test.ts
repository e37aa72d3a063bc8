import { randomUUID } from 'node:crypto';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomView } from '@vj/shared';
import { api } from '../helpers/api.js';
import { kioskToken, loginAll, petitionBody, type Logins } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';
import { waitFor } from '../helpers/poll.js';
import { publishSilentCamera } from '../helpers/rtp-call.js';
import { connect, eventWhere, send, type TestSocket } from '../helpers/sockets.js';

// 密封事项 and the live call (issue 16): once a sealed matter is taken in a call that goes on, those not in the call see
// it, on every path to the room list (GET /api/rooms, rooms:list, the rooms:state pushes, the snapshot a console gets
// on connecting), as an ordinary private call (私密接访), nothing else changed: a view like no other would tell which call
// was sealed, township staff included. The call's media, its recording's pause and the recording's verification answer
// as for an unknown id. In the cluster
// topology the observers' sockets and requests are on the other signaling node.

type Answer = { status: number; body: unknown };

describe('a live call a sealed matter was taken in: only those in it see it', () => {
  let s: InProcessServer;
  let logins: Logins;
  const sockets: TestSocket[] = [];
  const token = (who: string) => logins[who]!.accessToken;
  /** The other signaling node in the cluster topology, else this one. */
  const elsewhere = () => s.otherUrl ?? s.url;

  beforeAll(async () => {
    s = await startInProcess();
    logins = await loginAll(s.url, ['officer1', 'officer2', 'supervisor', 'leader1', 'secadmin', 'xingsha-staff']);
    if (process.env['VJ_TOPOLOGY'] === 'cluster') expect(s.otherUrl).toBeDefined();
  }, 120_000);
  afterAll(async () => {
    for (const k of sockets) k.close();
    await s?.stop();
  });

  const socket = async (t: string, url = s.url) => {
    const c = await connect(url, t);
    sockets.push(c);
    return c;
  };
  /** Every rooms:state push of `room` this socket receives, from now on. */
  const pushes = (c: TestSocket, room: string) => {
    const got: RoomView[] = [];
    c.on('rooms:state', (v: RoomView) => v.code === room && got.push(v));
    return got;
  };
  const roomsVia = async (who: string, url = elsewhere()) => (await api<{ rooms: RoomView[] }>(url, 'GET', '/api/rooms', { token: token(who) })).body.rooms;
  const listed = async (c: TestSocket) => {
    const r = await send(c, 'rooms:list', {});
    if (!r.ok) throw new Error(`rooms:list refused: ${JSON.stringify(r)}`);
    return r.data.rooms;
  };
  const strip = (a: Answer) => ({ status: a.status, body: a.body });
  const call = async (who: string, method: string, path: string, body?: unknown): Promise<Answer> =>
    strip(await api(elsewhere(), method, path, { token: token(who), ...(body !== undefined ? { body } : {}) }));
  const pause = (who: string, sessionId: string) => call(who, 'POST', `/api/sessions/${sessionId}/recording/pause`, { paused: true, reason: '来访人要求' });

  /** A kiosk of `room` publishing a camera, answered by officer1 on this node; recorded. */
  async function answeredCall(room: string) {
    const kiosk = await socket(await kioskToken(s.url, s.server.demo!.kiosks[room]!));
    const started = await send(kiosk, 'call:start', { requestId: randomUUID() });
    if (!started.ok) throw new Error(`call in ${room} did not start`);
    const { sessionId, peerId } = started.data;
    const officer = await socket(token('officer1'));
    expect(await send(officer, 'call:answer', { sessionId })).toMatchObject({ ok: true });
    await publishSilentCamera(s, sessionId, peerId);
    const recordingId = await waitFor('the call recorded', async () => {
      const r = await s.server.ctx.db.query<{ id: string }>(`SELECT id FROM recordings WHERE session_id = $1`, [sessionId]);
      return r.rows[0]?.id;
    });
    await waitFor('its recording running', async () => s.server.ctx.calls.session(sessionId)?.recording === 'recording');
    return { sessionId, recordingId, officer };
  }

  /** The room in a private call, as any call an officer made private looks: what every path gives those not in it. */
  const covered = (v: RoomView | undefined, sessionId: string) => {
    expect(v).toMatchObject({ state: 'private', sessionId, since: expect.any(String), answeredBy: expect.any(String), sessionKind: 'county_call' });
  };

  it('filed sealed by the officer who answered: the room is in a private call for everyone else, on every path; the call’s routes answer as missing', async () => {
    const c = await answeredCall('xingsha');
    const officer2 = await socket(token('officer2'), elsewhere());
    const staff = await socket(token('xingsha-staff'), elsewhere());
    const officerSees = pushes(c.officer, 'xingsha');
    // Before: an ordinary call, seen by all the county's consoles.
    expect((await roomsVia('officer2')).find((r) => r.code === 'xingsha')).toMatchObject({ sessionId: c.sessionId, answeredBy: expect.any(String) });
    expect((await call('supervisor', 'GET', `/api/sessions/${c.sessionId}/media`)).status).toBe(200);

    const officer2Sees = pushes(officer2, 'xingsha');
    const staffSees = pushes(staff, 'xingsha');
    const toldPrivate = eventWhere<RoomView>(officer2, 'rooms:state', (v) => v.code === 'xingsha' && v.state === 'private');
    const staffToldPrivate = eventWhere<RoomView>(staff, 'rooms:state', (v) => v.code === 'xingsha' && v.state === 'private');
    const filed = await call('officer1', 'POST', '/api/petitions', petitionBody('xingsha', null, { sessionId: c.sessionId, sealed: true }));
    expect(filed.status).toBe(200);
    expect(filed.body).toMatchObject({ sealed: true });
    // The consoles that had the call on screen are told the room went private, and nothing else.
    covered(await toldPrivate, c.sessionId);
    covered(await staffToldPrivate, c.sessionId);
    // Any later push too (a line grade, a participant's change: here one sent by hand), while those in the call go on
    // seeing their own call in full.
    const seen = { officer2: officer2Sees.length, staff: staffSees.length };
    const mine = eventWhere<RoomView>(c.officer, 'rooms:state', (v) => v.code === 'xingsha' && v.state === 'in_session');
    await s.server.ctx.calls.broadcastRoom('xingsha');
    expect(await mine).toMatchObject({ sessionId: c.sessionId, answeredBy: expect.any(String), state: 'in_session' });
    await waitFor('the later push at the observers', async () => officer2Sees.length > seen.officer2 && staffSees.length > seen.staff);
    for (const v of [...officer2Sees.slice(officer2Sees.indexOf(await toldPrivate)), ...staffSees.slice(staffSees.indexOf(await staffToldPrivate))])
      covered(v, c.sessionId);
    expect(officerSees.at(-1)).toMatchObject({ sessionId: c.sessionId, state: 'in_session' });

    // The list, by REST and socket, and a console connecting now (reception staff get their room as they connect).
    covered(
      (await roomsVia('officer2')).find((r) => r.code === 'xingsha'),
      c.sessionId,
    );
    covered(
      (await roomsVia('supervisor', s.url)).find((r) => r.code === 'xingsha'),
      c.sessionId,
    );
    covered(
      (await listed(officer2)).find((r) => r.code === 'xingsha'),
      c.sessionId,
    );
    const late = io(elsewhere(), {
      path: '/socket.io',
      transports: ['websocket'],
      auth: { token: token('xingsha-staff') },
      reconnection: false,
      forceNew: true,
      autoConnect: false,
    });
    sockets.push(late);
    const snapshot = eventWhere<RoomView>(late, 'rooms:state', (v) => v.code === 'xingsha');
    late.connect();
    covered(await snapshot, c.sessionId);
    // The officer in the call still has it in the list as it is.
    expect((await roomsVia('officer1')).find((r) => r.code === 'xingsha')).toMatchObject({
      sessionId: c.sessionId,
      answeredBy: expect.any(String),
      state: 'in_session',
    });
    expect((await listed(c.officer)).find((r) => r.code === 'xingsha')).toMatchObject({ sessionId: c.sessionId, state: 'in_session' });

    // Its media, its recording's pause and verification: as an unknown id, to anyone not in it.
    const unknown = randomUUID();
    for (const who of ['officer2', 'supervisor'])
      expect(await call(who, 'GET', `/api/sessions/${c.sessionId}/media`), who).toEqual(await call(who, 'GET', `/api/sessions/${unknown}/media`));
    expect((await call('officer2', 'GET', `/api/sessions/${c.sessionId}/media`)).status).toBe(404);
    const media = await call('officer1', 'GET', `/api/sessions/${c.sessionId}/media`);
    expect(media.status).toBe(200);
    expect((media.body as { peers: { role: string }[] }).peers.map((p) => p.role).sort()).toEqual(['county_officer', 'kiosk']);
    expect(await pause('supervisor', c.sessionId)).toEqual(await pause('supervisor', unknown));
    expect((await pause('supervisor', c.sessionId)).status).toBe(404);
    expect(s.server.ctx.calls.session(c.sessionId)?.recording).toBe('recording');
    for (const who of ['supervisor', 'secadmin']) {
      const verify = (id: string) => call(who, 'GET', `/api/recordings/${id}/verify`);
      expect(await verify(c.recordingId), who).toEqual(await verify(unknown));
      expect((await verify(c.recordingId)).status, who).toBe(404);
    }
    // Nor may its recording be opened to the township (which would say it is there).
    const grant = (id: string) => call('supervisor', 'POST', `/api/recordings/${id}/township-grant`, { grant: true, reason: '镇纪委核查接待过程' });
    expect(await grant(c.recordingId)).toEqual(await grant(unknown));
    expect((await grant(c.recordingId)).status).toBe(404);

    // The principal leader reads the matter; unsealed, the call is back in everyone's list.
    const leaderList = await call('leader1', 'GET', '/api/sealed');
    expect(leaderList.status).toBe(200);
    const matter = (leaderList.body as { items: { id: string }[] }).items.find((m) => m.id === (filed.body as { petitionId: string }).petitionId);
    expect(matter).toBeDefined();
    const back = eventWhere<RoomView>(officer2, 'rooms:state', (v) => v.code === 'xingsha' && v.state === 'in_session');
    const unsealed = await call('leader1', 'POST', `/api/sealed/${matter!.id}/unseal`, { reason: '经核实不涉及县纪委监委领导班子成员，误封' });
    expect(unsealed.status).toBe(200);
    expect(await back).toMatchObject({ sessionId: c.sessionId, answeredBy: expect.any(String) });
    expect((await roomsVia('officer2')).find((r) => r.code === 'xingsha')).toMatchObject({ sessionId: c.sessionId, state: 'in_session' });
    expect((await call('officer2', 'GET', `/api/sessions/${c.sessionId}/media`)).status).toBe(200);
    await send(c.officer, 'session:end', { sessionId: c.sessionId });
  }, 90_000);

  it('a supervisor in the call who files it sealed stays, and goes on seeing it and pausing its recording; 回避 refuses a named one', async () => {
    const c = await answeredCall('langli');
    const supervisor = await socket(token('supervisor'), elsewhere());
    const watched = await send(supervisor, 'session:watch', { sessionId: c.sessionId, mode: 'monitor' });
    if (!watched.ok) throw new Error(`watch refused: ${JSON.stringify(watched)}`);
    const filed = await call('supervisor', 'POST', '/api/petitions', petitionBody('langli', null, { sessionId: c.sessionId, sealed: true }));
    expect(filed.status).toBe(200);
    covered(
      (await roomsVia('officer2')).find((r) => r.code === 'langli'),
      c.sessionId,
    );
    expect((await roomsVia('supervisor')).find((r) => r.code === 'langli')).toMatchObject({ sessionId: c.sessionId, state: 'in_session' });
    expect((await call('supervisor', 'GET', `/api/sessions/${c.sessionId}/media`)).status).toBe(200);
    expect(await pause('supervisor', c.sessionId)).toEqual({ status: 200, body: { state: 'paused' } });
    await send(supervisor, 'session:leave', { sessionId: c.sessionId });
    // Out of it now: as anyone else.
    await waitFor('the supervisor out of the call', async () => (await call('supervisor', 'GET', `/api/sessions/${c.sessionId}/media`)).status === 404);
    covered(
      (await roomsVia('supervisor')).find((r) => r.code === 'langli'),
      c.sessionId,
    );
    await send(c.officer, 'session:end', { sessionId: c.sessionId });

    // An open matter from a call that names the supervisor (赵建平, 信访室主任): its recording's pause is not theirs (回避).
    const named = await answeredCall('chunhua');
    const accused = { name: '赵建平', unit: '县纪委监委信访室', position: '主任', townshipCode: null, officialCode: null, managementLevel: 'county_managed' };
    expect((await call('officer1', 'POST', '/api/petitions', petitionBody('chunhua', null, { sessionId: named.sessionId, accused: [accused] }))).status).toBe(
      200,
    );
    const refused = await pause('supervisor', named.sessionId);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: 'CONFLICT_OF_INTEREST' } });
    expect(s.server.ctx.calls.session(named.sessionId)?.recording).toBe('recording');
    await send(named.officer, 'session:end', { sessionId: named.sessionId });
  }, 90_000);
});
