import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WallTile } from '@vj/shared';
import { api } from '../helpers/api.js';
import { kioskToken, loginAll, petitionBody, type Logins } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';
import { waitFor } from '../helpers/poll.js';
import { publishSilentCamera } from '../helpers/rtp-call.js';
import { onOwner } from '../../signaling/src/sessions/owner-calls.js';
import { connect, eventWhere, send, type TestSocket } from '../helpers/sockets.js';

// 密封事项 and the video wall (issue 16): a call whose matter is sealed, by the office or at intake, leaves the wall
// that every county officer watches (the piped copy of its camera closes in the wall's router) and does not come back
// while the session lives, even when the kiosk publishes again; the call itself keeps its media.

describe('a sealed matter’s live call leaves the video wall', () => {
  let s: InProcessServer;
  let logins: Logins;
  const sockets: TestSocket[] = [];
  const token = (who: string) => logins[who]!.accessToken;

  beforeAll(async () => {
    s = await startInProcess({ RECORDING: 'off' });
    logins = await loginAll(s.url, ['officer1', 'officer2', 'supervisor', 'leader1']);
  }, 120_000);
  afterAll(async () => {
    for (const k of sockets) k.close();
    await s?.stop();
  });

  const socket = async (t: string) => {
    const c = await connect(s.url, t);
    sockets.push(c);
    return c;
  };

  /** A kiosk of `room` publishing a camera (a plain RTP transport: no browser needed), answered by `officer`. */
  async function answeredCall(room: string, officer: string) {
    const kiosk = await socket(await kioskToken(s.url, s.server.demo!.kiosks[room]!));
    const started = await send(kiosk, 'call:start', { requestId: randomUUID() });
    if (!started.ok) throw new Error(`call in ${room} did not start`);
    const { sessionId, peerId } = started.data;
    const answering = await socket(token(officer));
    expect(await send(answering, 'call:answer', { sessionId })).toMatchObject({ ok: true });
    const producerId = await publishSilentCamera(s, sessionId, peerId);
    return { sessionId, peerId, producerId };
  }

  /** The wall as a console opening it now gets it. */
  async function wallNow(who: string): Promise<{ sessionId: string; tiles: WallTile[] }> {
    const viewer = await socket(token(who));
    const joined = await send(viewer, 'wall:join', {});
    if (!joined.ok) throw new Error(`wall:join refused: ${JSON.stringify(joined)}`);
    return joined.data;
  }

  const wallProducers = async (wall: string) => (await s.server.ctx.sfu.request('dump', { sessionId: wall })).producers;

  it('sealed by the office: every viewer is told the tile closed, the wall’s copy goes, a new viewer never gets it, and a re-publish stays off', async () => {
    // No console has opened the wall yet: this camera opens it, and is shown once though (in a cluster) the new
    // wall's resync asks for it again.
    const call = await answeredCall('xingsha', 'officer1');
    const watcher = await socket(token('officer2'));
    const first = await waitFor('the call on the wall', async () => {
      const w = await wallNow('officer2');
      return w.tiles.some((t) => t.producerId === call.producerId) ? w : undefined;
    });
    expect(first.tiles).toContainEqual({ roomCode: 'xingsha', sessionId: call.sessionId, producerId: call.producerId });
    const onWall = await wallProducers(first.sessionId);

    // Filed from the call, open at first; then the supervisor seals it.
    const body = petitionBody('xingsha', null, { sessionId: call.sessionId });
    expect((await api(s.url, 'POST', '/api/petitions', { token: token('officer1'), body })).status).toBe(200);
    // An open matter leaves its call on the wall.
    expect((await wallNow('supervisor')).tiles.map((t) => t.producerId)).toContain(call.producerId);
    const closed = eventWhere<{ producerId: string }>(watcher, 'wall:tileClosed', (p) => p.producerId === call.producerId);
    const sealed = await api(s.url, 'POST', `/api/petitions/${body.id}/seal`, { token: token('supervisor'), body: { reason: '反映县纪委监委领导班子成员' } });
    expect(sealed.status).toBe(200);
    expect(sealed.body).toEqual({ id: body.id, sealed: true });
    await closed;
    await waitFor('the wall’s copy closed in the SFU', async () => (await wallProducers(first.sessionId)) === onWall - 1);
    expect((await wallNow('supervisor')).tiles.filter((t) => t.sessionId === call.sessionId)).toEqual([]);
    // The call keeps its camera; what fed the wall's copy from it (a pipe, when the wall is on another SFU node) is gone.
    expect((await s.server.ctx.sfu.request('dump', { sessionId: call.sessionId })).producers).toBe(1);
    await waitFor('no pipe left feeding the wall', async () => (await s.server.ctx.sfu.request('dump', { sessionId: call.sessionId })).consumers === 0);

    // The kiosk publishes again (a reconnect): the call has it, the wall does not. Another room's camera, shown
    // after it, proves the wall took what it was sent meanwhile.
    const shownXingsha: WallTile[] = [];
    watcher.on('wall:tile', (t: WallTile) => (t.sessionId === call.sessionId ? shownXingsha.push(t) : undefined));
    const again = await publishSilentCamera(s, call.sessionId, call.peerId);
    const control = await answeredCall('langli', 'officer2');
    await eventWhere<WallTile>(watcher, 'wall:tile', (t) => t.producerId === control.producerId);
    expect(shownXingsha).toEqual([]);
    const tiles = (await wallNow('supervisor')).tiles;
    expect(tiles.map((t) => t.producerId)).toContain(control.producerId);
    expect(tiles.filter((t) => t.sessionId === call.sessionId || t.producerId === again)).toEqual([]);
    expect((await s.server.ctx.sfu.request('dump', { sessionId: call.sessionId })).producers).toBe(2);
  }, 60_000);

  it('filed sealed at intake from a live call: the call leaves the wall at once', async () => {
    const call = await answeredCall('huanghua', 'officer2');
    const watcher = await socket(token('officer1'));
    await waitFor('the call on the wall', async () => (await wallNow('officer1')).tiles.some((t) => t.producerId === call.producerId));
    const closed = eventWhere<{ producerId: string }>(watcher, 'wall:tileClosed', (p) => p.producerId === call.producerId);
    const filed = await api<{ sealed: boolean }>(s.url, 'POST', '/api/petitions', {
      token: token('officer2'),
      body: petitionBody('huanghua', null, { sessionId: call.sessionId, sealed: true }),
    });
    expect(filed.status).toBe(200);
    expect(filed.body.sealed).toBe(true);
    await closed;
    expect((await wallNow('supervisor')).tiles.filter((t) => t.sessionId === call.sessionId)).toEqual([]);
    expect((await s.server.ctx.sfu.request('dump', { sessionId: call.sessionId })).producers).toBe(1);
    // Nor may anyone watch it from now on: it answers as a call that is gone, and nobody joined it.
    for (const who of ['supervisor', 'officer1'] as const) {
      const watched = await send(await socket(token(who)), 'session:watch', { sessionId: call.sessionId, mode: 'monitor' });
      expect(watched.ok ? 'ok' : watched.error.code, who).toBe('NOT_FOUND');
    }
    expect((await s.server.ctx.sfu.request('dump', { sessionId: call.sessionId })).consumers).toBe(0);
  }, 60_000);

  it('unsealed while the call lives: it comes back on the wall once no matter taken in it is sealed', async () => {
    const call = await answeredCall('chunhua', 'officer1');
    const watcher = await socket(token('officer2'));
    await waitFor('the call on the wall', async () => (await wallNow('officer2')).tiles.some((t) => t.producerId === call.producerId));
    const closed = eventWhere<{ producerId: string }>(watcher, 'wall:tileClosed', (p) => p.producerId === call.producerId);
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const body = petitionBody('chunhua', null, { sessionId: call.sessionId, sealed: true });
      expect((await api(s.url, 'POST', '/api/petitions', { token: token('officer1'), body })).status).toBe(200);
      ids.push(body.id);
    }
    await closed;
    const unseal = (id: string) =>
      api(s.url, 'POST', `/api/sealed/${id}/unseal`, { token: token('leader1'), body: { reason: '经核实不涉及县纪委监委领导班子成员，误封' } });
    // One of the two unsealed: the other still keeps the call off the wall (the answer comes after that is decided).
    expect((await unseal(ids[0]!)).status).toBe(200);
    expect((await wallNow('supervisor')).tiles.filter((t) => t.sessionId === call.sessionId)).toEqual([]);
    // Both: every viewer is shown it again, and a console opening the wall now gets it.
    const shown = eventWhere<WallTile>(watcher, 'wall:tile', (t) => t.producerId === call.producerId);
    const r = await unseal(ids[1]!);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ id: ids[1], sealed: false });
    expect(await shown).toEqual({ roomCode: 'chunhua', sessionId: call.sessionId, producerId: call.producerId });
    expect((await wallNow('supervisor')).tiles).toContainEqual({ roomCode: 'chunhua', sessionId: call.sessionId, producerId: call.producerId });
  }, 60_000);

  it('a late try to hide a call (a sealing retried after its matter was unsealed) leaves it on the wall: the owner decides from the database', async () => {
    const call = await answeredCall('lukou', 'officer1');
    await waitFor('the call on the wall', async () => (await wallNow('officer2')).tiles.some((t) => t.producerId === call.producerId));
    // No matter of this call is sealed (any more): the step a retry sends does nothing, and says so.
    expect(await onOwner(s.server.ctx as never, 'hideFromWall', { sessionId: call.sessionId })).toBe(false);
    expect((await wallNow('supervisor')).tiles).toContainEqual({ roomCode: 'lukou', sessionId: call.sessionId, producerId: call.producerId });
    // And the other way round: a late try to show a call whose matter is sealed (again) keeps it off.
    const body = petitionBody('lukou', null, { sessionId: call.sessionId, sealed: true });
    expect((await api(s.url, 'POST', '/api/petitions', { token: token('officer1'), body })).status).toBe(200);
    await waitFor('the call off the wall', async () => !(await wallNow('officer2')).tiles.some((t) => t.sessionId === call.sessionId));
    expect(await onOwner(s.server.ctx as never, 'showOnWall', { sessionId: call.sessionId })).toBe(false);
    expect((await wallNow('supervisor')).tiles.filter((t) => t.sessionId === call.sessionId)).toEqual([]);
  }, 60_000);
});
