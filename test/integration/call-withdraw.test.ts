import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/api.js';
import { kioskToken, linkOfficer2, loginAll, officer2Accused, petitionBody, type Logins } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';
import { waitFor } from '../helpers/poll.js';
import { connect, eventWhere, send, type TestSocket } from '../helpers/sockets.js';
import { publishSilentCamera } from '../helpers/rtp-call.js';

// 保密与回避 in a live call (issue 16): a supervisor already watching a call is taken out of it when the officer who
// answered files a matter from it that is sealed, or that names the supervisor as accused. Their media closes in the
// SFU, their console is told (one neutral event), an audit row says so, and the call goes on for the villager and the
// officer. A matter that names nobody in the call takes nobody out. In the cluster topology the matter is filed on the
// other signaling node and the supervisor's socket is there too: the owner node does the work over the node bus.

type Media = { peers: { role: string; transports: number; consumers: number }[] };

describe('watchers leave a live call whose matter is sealed or names them', () => {
  let s: InProcessServer;
  let logins: Logins;
  const sockets: TestSocket[] = [];
  const token = (who: string) => logins[who]!.accessToken;
  /** The other signaling node in the cluster topology, else this one. */
  const elsewhere = () => s.otherUrl ?? s.url;

  beforeAll(async () => {
    // Recording off: its consumers would blur the SFU's counts, which are the proof here.
    s = await startInProcess({ RECORDING: 'off' });
    logins = await loginAll(s.url, ['officer1', 'officer2', 'supervisor', 'admin', 'xingsha-staff']);
    if (process.env['VJ_TOPOLOGY'] === 'cluster') expect(s.otherUrl).toBeDefined();
    // officer2 is the registry's 吴海涛, linked as an administrator links a staff account (issue 12 point 5).
    const linked = await linkOfficer2(s.url, token('admin'), logins['officer2']!.user.id);
    expect(linked.status, JSON.stringify(linked.body)).toBe(200);
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
  const dump = (sessionId: string) => s.server.ctx.sfu.request('dump', { sessionId });

  /** A kiosk of `room` publishing a camera (a plain RTP transport), answered by officer1; `who` watches it and receives the camera. */
  async function watchedCall(room: string, who = 'supervisor', mode: 'monitor' | 'join' = 'monitor') {
    const kiosk = await socket(await kioskToken(s.url, s.server.demo!.kiosks[room]!));
    const kioskHeard: { event: string; payload: unknown }[] = [];
    kiosk.onAny((event: string, payload: unknown) => kioskHeard.push({ event, payload }));
    const started = await send(kiosk, 'call:start', { requestId: randomUUID() });
    if (!started.ok) throw new Error(`call in ${room} did not start`);
    const { sessionId, peerId } = started.data;
    const officer = await socket(token('officer1'));
    expect(await send(officer, 'call:answer', { sessionId })).toMatchObject({ ok: true });
    const producerId = await publishSilentCamera(s, sessionId, peerId);

    const supervisor = await socket(token(who), elsewhere());
    const watched = await send(supervisor, 'session:watch', { sessionId, mode });
    if (!watched.ok) throw new Error(`watch refused: ${JSON.stringify(watched)}`);
    const caps = await send(supervisor, 'rtc:capabilities', { sessionId });
    const recv = await send(supervisor, 'rtc:createTransport', { sessionId, direction: 'recv' });
    if (!caps.ok || !recv.ok) throw new Error('receive transport');
    const consumed = await send(supervisor, 'rtc:consume', { sessionId, transportId: recv.data.id, producerId, rtpCapabilities: caps.data.rtpCapabilities });
    if (!consumed.ok) throw new Error(`consume: ${JSON.stringify(consumed)}`);
    const supervisorPeer = watched.data.peerId;
    expect((await dump(sessionId)).peers.find((p) => p.peerId === supervisorPeer)).toMatchObject({ transports: 1, consumers: 1 });
    return { sessionId, kiosk, kioskHeard, officer, supervisor, supervisorPeer, who };
  }

  /** Who the live call holds, as `reader` reads it: of a sealed call only those in it may (anyone else gets a 404). */
  const media = async (sessionId: string, reader = 'officer1') => {
    const r = await api<Media>(s.url, 'GET', `/api/sessions/${sessionId}/media`, { token: token(reader) });
    expect(r.status, `${reader} reads the call's media`).toBe(200);
    return r.body;
  };
  const audits = async (sessionId: string) =>
    (
      await s.server.ctx.db.query<{ actor_id: string; object_type: string; object_id: string; details: Record<string, unknown> }>(
        `SELECT actor_id, object_type, object_id, details FROM audit_log WHERE action = 'session.withdraw' AND details->>'sessionId' = $1`,
        [sessionId],
      )
    ).rows;
  /** Log lines of a withdrawal that failed and went to the background for this call: none, when "nothing happened" is to mean it. */
  const retried = (sessionId: string) => s.logs.filter((l) => l.includes(sessionId) && l.includes('trying again'));
  const leaveReason = async (sessionId: string, who = 'supervisor') =>
    (
      await s.server.ctx.db.query<{ leave_reason: string | null }>(`SELECT leave_reason FROM session_participants WHERE session_id = $1 AND user_id = $2`, [
        sessionId,
        logins[who]!.user.id,
      ])
    ).rows[0]?.leave_reason;
  const file = (body: Record<string, unknown>) => api<{ sealed: boolean }>(elsewhere(), 'POST', '/api/petitions', { token: token('officer1'), body });

  /** The supervisor is out: told, no media left in the SFU, not in the live session; the call goes on; one audit row. */
  async function expectTakenOut(call: Awaited<ReturnType<typeof watchedCall>>, told: Promise<unknown>, cause: string, actor = 'officer1') {
    await told;
    await waitFor('the supervisor’s media closed in the SFU', async () => !(await dump(call.sessionId)).peers.some((p) => p.peerId === call.supervisorPeer));
    // The kiosk's camera is still in the call.
    expect((await dump(call.sessionId)).producers).toBe(1);
    const m = await media(call.sessionId);
    expect(m.peers.map((p) => p.role).sort()).toEqual(['county_officer', 'kiosk']);
    expect(await leaveReason(call.sessionId, call.who)).toBe('withdrawn');
    const rows = await audits(call.sessionId);
    expect(rows).toEqual([
      { actor_id: logins[actor]!.user.id, object_type: 'user', object_id: logins[call.who]!.user.id, details: { cause, sessionId: call.sessionId } },
    ]);
    // The villager's kiosk heard nothing it would not hear when a watcher leaves of their own accord.
    const heard = call.kioskHeard.map((e) => e.event);
    expect(heard).not.toContain('session:withdrawn');
    expect(heard).not.toContain('session:ended');
    expect(JSON.stringify(call.kioskHeard)).not.toContain('withdrawn');
    // Nor may the supervisor come back.
    const again = await send(call.supervisor, 'session:watch', { sessionId: call.sessionId, mode: 'monitor' });
    expect(again.ok).toBe(false);
  }

  it('(a) a sealed matter filed from the call: the watching supervisor is taken out, the call goes on', async () => {
    const call = await watchedCall('ansha');
    const told = eventWhere<{ sessionId: string }>(call.supervisor, 'session:withdrawn', (p) => p.sessionId === call.sessionId);
    const filed = await file(petitionBody('ansha', null, { sessionId: call.sessionId, sealed: true }));
    expect(filed.status).toBe(200);
    expect(filed.body.sealed).toBe(true);
    await expectTakenOut(call, told, 'sealed');
  }, 60_000);

  it('(b) an open matter naming the supervisor (赵建平) filed from the call: the supervisor is taken out, the call goes on', async () => {
    const call = await watchedCall('langli');
    const told = eventWhere<{ sessionId: string }>(call.supervisor, 'session:withdrawn', (p) => p.sessionId === call.sessionId);
    const accused = {
      name: '赵建平',
      unit: '县纪委监委信访室',
      position: '主任',
      townshipCode: null,
      officialCode: null,
      managementLevel: 'county_managed',
      standing: 'none',
    };
    const filed = await file(petitionBody('langli', null, { sessionId: call.sessionId, accused: [accused] }));
    expect(filed.status).toBe(200);
    expect(filed.body.sealed).toBe(false);
    await expectTakenOut(call, told, 'recused');
  }, 60_000);

  it('(c) an open matter naming nobody in the call: nobody is taken out', async () => {
    const call = await watchedCall('huanghua');
    let told = false;
    call.supervisor.on('session:withdrawn', () => (told = true));
    const filed = await file(petitionBody('huanghua', null, { sessionId: call.sessionId }));
    expect(filed.status).toBe(200);
    expect(filed.body.sealed).toBe(false);
    // The filing answers after the owner decided: what holds now holds.
    expect((await media(call.sessionId)).peers.map((p) => p.role).sort()).toEqual(['county_officer', 'county_supervisor', 'kiosk']);
    expect((await dump(call.sessionId)).peers.find((p) => p.peerId === call.supervisorPeer)).toMatchObject({ transports: 1, consumers: 1 });
    expect(await leaveReason(call.sessionId)).toBeNull();
    expect(await audits(call.sessionId)).toEqual([]);
    expect(retried(call.sessionId)).toEqual([]);
    expect(told).toBe(false);
  }, 60_000);

  it('(d) sealed later by the supervisor: officer2, talking in the call, is taken out; officer1 who filed it stays', async () => {
    const call = await watchedCall('chunhua', 'officer2', 'join');
    const body = petitionBody('chunhua', null, { sessionId: call.sessionId });
    expect((await file(body)).status).toBe(200);
    expect((await media(call.sessionId)).peers.map((p) => p.role).sort()).toEqual(['county_officer', 'county_officer', 'kiosk']);
    const told = eventWhere<{ sessionId: string }>(call.supervisor, 'session:withdrawn', (p) => p.sessionId === call.sessionId);
    const sealed = await api(elsewhere(), 'POST', `/api/petitions/${body.id}/seal`, {
      token: token('supervisor'),
      body: { reason: '反映县纪委监委领导班子成员' },
    });
    expect(sealed.status).toBe(200);
    await expectTakenOut(call, told, 'sealed', 'supervisor');
  }, 60_000);

  it('(e) sealed later when the only one still talking is not the filer: they stay, the villager is not cut off', async () => {
    const call = await watchedCall('jinjing', 'officer2', 'join');
    const body = petitionBody('jinjing', null, { sessionId: call.sessionId });
    expect((await file(body)).status).toBe(200);
    // The officer who filed it leaves; officer2 carries the call on.
    expect(await send(call.officer, 'session:leave', { sessionId: call.sessionId })).toMatchObject({ ok: true });
    await waitFor('officer1 out of the call', async () => (await media(call.sessionId)).peers.length === 2);
    let told = false;
    call.supervisor.on('session:withdrawn', () => (told = true));
    const sealed = await api(elsewhere(), 'POST', `/api/petitions/${body.id}/seal`, {
      token: token('supervisor'),
      body: { reason: '反映县纪委监委领导班子成员' },
    });
    expect(sealed.status).toBe(200);
    // The seal answers after the owner decided: the call goes on with the one the villager talks to (read by them: officer1,
    // out of the call, no longer reads a sealed one).
    expect((await media(call.sessionId, 'officer2')).peers.map((p) => p.role).sort()).toEqual(['county_officer', 'kiosk']);
    expect((await api(s.url, 'GET', `/api/sessions/${call.sessionId}/media`, { token: token('officer1') })).status).toBe(404);
    expect((await dump(call.sessionId)).peers.find((p) => p.peerId === call.supervisorPeer)).toMatchObject({ transports: 1, consumers: 1 });
    expect(call.kioskHeard.map((e) => e.event)).not.toContain('session:ended');
    expect(await audits(call.sessionId)).toEqual([]);
    expect(retried(call.sessionId)).toEqual([]);
    expect(told).toBe(false);
  }, 60_000);

  it('(f) a watching supervisor files it sealed: the officer talking with the villager stays, the receipt reaches the kiosk', async () => {
    const call = await watchedCall('guoyuan');
    // A second watcher, who is neither the filer nor talking: the only one to leave.
    const other = await socket(token('officer2'), elsewhere());
    const watched = await send(other, 'session:watch', { sessionId: call.sessionId, mode: 'monitor' });
    if (!watched.ok) throw new Error(`watch refused: ${JSON.stringify(watched)}`);
    const told = eventWhere<{ sessionId: string }>(other, 'session:withdrawn', (p) => p.sessionId === call.sessionId);
    const filed = await api<{ sealed: boolean; pushedToKiosk: boolean }>(elsewhere(), 'POST', '/api/petitions', {
      token: token('supervisor'),
      body: petitionBody('guoyuan', null, { sessionId: call.sessionId, sealed: true }),
    });
    expect(filed.status).toBe(200);
    expect(filed.body).toMatchObject({ sealed: true, pushedToKiosk: true });
    await told;
    await waitFor('officer2 out of the call', async () => (await media(call.sessionId)).peers.length === 3);
    expect((await media(call.sessionId)).peers.map((p) => p.role).sort()).toEqual(['county_officer', 'county_supervisor', 'kiosk']);
    expect(call.kioskHeard.map((e) => e.event)).not.toContain('session:ended');
    expect(call.kioskHeard.map((e) => e.event)).toContain('session:receipt');
    const rows = await audits(call.sessionId);
    expect(rows.map((r) => [r.actor_id, r.object_id, r.details])).toEqual([
      [logins['supervisor']!.user.id, logins['officer2']!.user.id, { cause: 'sealed', sessionId: call.sessionId }],
    ]);
  }, 60_000);

  it('(g) the officer who files a matter naming themself is taken out once they have filed it; the colleague talking carries on', async () => {
    const call = await watchedCall('xianglong', 'officer2', 'join');
    const told = eventWhere<{ sessionId: string }>(call.supervisor, 'session:withdrawn', (p) => p.sessionId === call.sessionId);
    const filed = await api<{ sealed: boolean; pushedToKiosk: boolean }>(elsewhere(), 'POST', '/api/petitions', {
      token: token('officer2'),
      body: petitionBody('xianglong', null, { sessionId: call.sessionId, accused: [officer2Accused] }),
    });
    expect(filed.status, JSON.stringify(filed.body)).toBe(200);
    // The villager still gets their receipt: it was filed before its filer left.
    expect(filed.body).toMatchObject({ sealed: false, pushedToKiosk: true });
    await expectTakenOut(call, told, 'recused', 'officer2');
  }, 60_000);

  it('(h) the officer who files a matter naming themself stays when nobody else talks with the villager: the villager is not cut off', async () => {
    const call = await watchedCall('quantang', 'officer2', 'join');
    // officer1 leaves; officer2 is the only one the villager talks to.
    expect(await send(call.officer, 'session:leave', { sessionId: call.sessionId })).toMatchObject({ ok: true });
    await waitFor('officer1 out of the call', async () => (await media(call.sessionId, 'officer2')).peers.length === 2);
    let told = false;
    call.supervisor.on('session:withdrawn', () => (told = true));
    const filed = await api(elsewhere(), 'POST', '/api/petitions', {
      token: token('officer2'),
      body: petitionBody('quantang', null, { sessionId: call.sessionId, accused: [officer2Accused] }),
    });
    expect(filed.status, JSON.stringify(filed.body)).toBe(200);
    // The filing answers after the owner decided: officer2 is still in the call, media and all.
    expect((await dump(call.sessionId)).peers.find((p) => p.peerId === call.supervisorPeer)).toMatchObject({ transports: 1, consumers: 1 });
    expect(await leaveReason(call.sessionId, 'officer2')).toBeNull();
    expect(call.kioskHeard.map((e) => e.event)).not.toContain('session:ended');
    expect(await audits(call.sessionId)).toEqual([]);
    expect(retried(call.sessionId)).toEqual([]);
    expect(told).toBe(false);
  }, 60_000);

  it('(i) taking them out failed on its first try (the owner node away for a moment): it is tried again, and they leave', async () => {
    const call = await watchedCall('changlong');
    const told = eventWhere<{ sessionId: string }>(call.supervisor, 'session:withdrawn', (p) => p.sessionId === call.sessionId);
    // This node's way to the session's owner fails once for the withdrawal, as it does while Redis or the owner restarts.
    const router = s.server.ctx.router;
    const onOwner = router.onOwner.bind(router);
    let failed = 0;
    router.onOwner = async (...a: Parameters<typeof onOwner>) => {
      if (a[1] === 'withdraw' && failed === 0) {
        failed++;
        throw new Error('owner node unreachable');
      }
      return onOwner(...a);
    };
    try {
      const filed = await api<{ sealed: boolean }>(s.url, 'POST', '/api/petitions', {
        token: token('officer1'),
        body: petitionBody('changlong', null, { sessionId: call.sessionId, sealed: true }),
      });
      // The filing is never failed by what follows it.
      expect(filed.status).toBe(200);
      expect(failed).toBe(1);
      // Done in the background now, after the filing answered: wait until they have left.
      await told;
      await waitFor('the supervisor out of the call', async () => (await media(call.sessionId)).peers.length === 2);
      await expectTakenOut(call, told, 'sealed');
    } finally {
      router.onOwner = onOwner;
    }
    const tried = s.logs.filter((l) => l.includes('could not be taken out of the call') && l.includes(call.sessionId));
    expect(tried.length).toBe(1);
    expect(tried[0]).toContain('trying again');
  }, 60_000);

  it('(l) a named officer kept because they alone carried the call leaves once a colleague joins to talk', async () => {
    const call = await watchedCall('beishan', 'officer2', 'join');
    expect(await send(call.officer, 'session:leave', { sessionId: call.sessionId })).toMatchObject({ ok: true });
    await waitFor('officer1 out of the call', async () => (await media(call.sessionId, 'officer2')).peers.length === 2);
    const filed = await api(elsewhere(), 'POST', '/api/petitions', {
      token: token('officer2'),
      body: petitionBody('beishan', null, { sessionId: call.sessionId, accused: [officer2Accused] }),
    });
    expect(filed.status, JSON.stringify(filed.body)).toBe(200);
    expect(await leaveReason(call.sessionId, 'officer2')).toBeNull();
    // officer1 comes back to talk with the villager: officer2 may go now.
    const told = eventWhere<{ sessionId: string }>(call.supervisor, 'session:withdrawn', (p) => p.sessionId === call.sessionId);
    const back = await socket(token('officer1'), elsewhere());
    expect(await send(back, 'session:watch', { sessionId: call.sessionId, mode: 'join' })).toMatchObject({ ok: true });
    await told;
    await waitFor('officer2 out of the call', async () => (await leaveReason(call.sessionId, 'officer2')) === 'withdrawn');
    expect((await media(call.sessionId)).peers.map((p) => p.role).sort()).toEqual(['county_officer', 'kiosk']);
    expect(call.kioskHeard.map((e) => e.event)).not.toContain('session:ended');
    expect((await audits(call.sessionId)).map((r) => [r.actor_id, r.object_id, r.details])).toEqual([
      [logins['officer1']!.user.id, logins['officer2']!.user.id, { cause: 'recused', sessionId: call.sessionId }],
    ]);
  }, 60_000);

  /** The township's reception staff join the county call in their room, as they may before any matter of it. */
  const staffJoin = async (sessionId: string) => {
    const staff = await socket(token('xingsha-staff'));
    const joined = await send(staff, 'staff:join', { sessionId });
    if (!joined.ok) throw new Error(`staff join refused: ${JSON.stringify(joined)}`);
    return staff;
  };

  it('(j) sealed by a watching supervisor while reception staff are in the call: the staff leave (they never carry a county call), the officer talks on', async () => {
    const call = await watchedCall('xingsha');
    const staff = await staffJoin(call.sessionId);
    // Ended whatever happens: (k) needs this room's kiosk free for a call of its own.
    try {
      const told = eventWhere<{ sessionId: string }>(staff, 'session:withdrawn', (p) => p.sessionId === call.sessionId);
      const filed = await api<{ sealed: boolean }>(elsewhere(), 'POST', '/api/petitions', {
        token: token('supervisor'),
        body: petitionBody('xingsha', null, { sessionId: call.sessionId, sealed: true }),
      });
      expect(filed.status).toBe(200);
      await told;
      expect((await media(call.sessionId)).peers.map((p) => p.role).sort()).toEqual(['county_officer', 'county_supervisor', 'kiosk']);
      expect(await leaveReason(call.sessionId, 'xingsha-staff')).toBe('withdrawn');
      expect(call.kioskHeard.map((e) => e.event)).not.toContain('session:ended');
    } finally {
      await send(call.kiosk, 'session:end', { sessionId: call.sessionId });
    }
  }, 60_000);

  it('(k) the only officer talking files a matter naming themself while reception staff are in the call: they stay, the villager is not cut off', async () => {
    const call = await watchedCall('xingsha', 'officer2', 'join');
    expect(await send(call.officer, 'session:leave', { sessionId: call.sessionId })).toMatchObject({ ok: true });
    await waitFor('officer1 out of the call', async () => (await media(call.sessionId, 'officer2')).peers.length === 2);
    await staffJoin(call.sessionId);
    const filed = await api(elsewhere(), 'POST', '/api/petitions', {
      token: token('officer2'),
      body: petitionBody('xingsha', null, { sessionId: call.sessionId, accused: [officer2Accused] }),
    });
    expect(filed.status, JSON.stringify(filed.body)).toBe(200);
    expect(await leaveReason(call.sessionId, 'officer2')).toBeNull();
    expect(call.kioskHeard.map((e) => e.event)).not.toContain('session:ended');
    expect((await media(call.sessionId, 'officer2')).peers.map((p) => p.role).sort()).toEqual(['county_officer', 'kiosk', 'township_staff']);
    expect(await audits(call.sessionId)).toEqual([]);
  }, 60_000);

  it('a watch let in while a sealed matter is filed is taken out again at once: it answers as a call that is gone', async () => {
    const call = await watchedCall('gaoqiao', 'officer2');
    // Hold the supervisor's watch just after its first check, file the matter sealed meanwhile, then let it go on.
    const db = s.server.ctx.db as unknown as { query: (...a: unknown[]) => Promise<unknown> };
    const query = db.query.bind(db);
    let reached!: () => void;
    const atCheck = new Promise<void>((r) => (reached = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let armed = true;
    db.query = async (...a: unknown[]) => {
      const r = await query(...a);
      if (armed && String(a[0]).includes('p.sealed LIMIT 1') && (a[1] as unknown[] | undefined)?.[0] === call.sessionId) {
        armed = false;
        reached();
        await gate;
      }
      return r;
    };
    try {
      const supervisor = await socket(token('supervisor'));
      const watching = send(supervisor, 'session:watch', { sessionId: call.sessionId, mode: 'monitor' });
      await atCheck;
      const filed = await file(petitionBody('gaoqiao', null, { sessionId: call.sessionId, sealed: true }));
      expect(filed.body.sealed).toBe(true);
      release();
      const answer = await watching;
      expect(answer.ok ? 'ok' : answer.error.code).toBe('NOT_FOUND');
    } finally {
      db.query = query;
    }
    // Neither the supervisor nor officer2 (in before the seal) is left; officer1, who filed it, talks on.
    await waitFor('only the kiosk and the filer left', async () => (await media(call.sessionId)).peers.length === 2);
    expect((await media(call.sessionId)).peers.map((p) => p.role).sort()).toEqual(['county_officer', 'kiosk']);
  }, 60_000);

  it('the audit page leaves out who was taken out of a sealed call, and a named reader’s own row about a call naming them', async () => {
    const sealedCall = await watchedCall('fulin');
    const sealedTold = eventWhere<{ sessionId: string }>(sealedCall.supervisor, 'session:withdrawn', (p) => p.sessionId === sealedCall.sessionId);
    expect((await file(petitionBody('fulin', null, { sessionId: sealedCall.sessionId, sealed: true }))).status).toBe(200);
    await sealedTold;
    // Nor does the call's own record tell it: the sealed call's answers as a call that never was, to anyone.
    for (const who of ['officer2', 'supervisor']) {
      const record = await api(s.url, 'GET', `/api/sessions/${sealedCall.sessionId}`, { token: token(who) });
      expect(record.status, who).toBe(404);
    }
    const namedCall = await watchedCall('lukou');
    const namedTold = eventWhere<{ sessionId: string }>(namedCall.supervisor, 'session:withdrawn', (p) => p.sessionId === namedCall.sessionId);
    const accused = { name: '赵建平', unit: '县纪委监委信访室', position: '主任', townshipCode: null, officialCode: null, managementLevel: 'county_managed' };
    expect((await file(petitionBody('lukou', null, { sessionId: namedCall.sessionId, accused: [accused] }))).status).toBe(200);
    await namedTold;
    // Both rows are written; the supervisor (whom the second matter names) reads neither on the audit page.
    expect((await audits(sealedCall.sessionId)).length).toBe(1);
    expect((await audits(namedCall.sessionId)).length).toBe(1);
    const page = await api<{ items: { details: Record<string, unknown> | null }[] }>(s.url, 'GET', '/api/audit?action=session.withdraw&limit=200', {
      token: token('supervisor'),
    });
    expect(page.status).toBe(200);
    const sessions = page.body.items.map((i) => i.details?.['sessionId']);
    expect(sessions).not.toContain(sealedCall.sessionId);
    expect(sessions).not.toContain(namedCall.sessionId);
    // The named supervisor may not read the record of the call that names them; another officer may.
    expect((await api(s.url, 'GET', `/api/sessions/${namedCall.sessionId}`, { token: token('supervisor') })).status).toBe(409);
    expect((await api(s.url, 'GET', `/api/sessions/${namedCall.sessionId}`, { token: token('officer2') })).status).toBe(200);
  }, 60_000);
});
