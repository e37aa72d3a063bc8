import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, loginToken } from '../helpers/api.js';
import { kioskToken } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/poll.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { connect, eventWhere, nextEvent, send, type TestSocket, keptSockets } from '../helpers/sockets.js';

type State = { monitoring: boolean; private: boolean; lead: string; participants: { role: string; mode: string | null; connected: boolean }[] };
const fakeAudio = { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 1234 }], rtcp: { cname: 'x' } };

describe('supervision rules over the socket protocol', () => {
  let server: TestServer;
  const { sock, closeAll } = keptSockets(() => server.url);

  beforeAll(async () => {
    // Office hours all week, a fast escalation and a short grace: the rules, at test speed.
    server = await startTestServer({ env: { ESCALATE_AFTER_S: '1', OFFICE_HOURS: '00:00-24:00', OFFICE_DAYS: '0-6', RECONNECT_GRACE_S: '5' } });
  });
  afterAll(async () => {
    closeAll();
    await server?.stop();
  });

  it('staff intake: a monitoring officer is announced to the kiosk, cannot publish, and every mode change is audited', async () => {
    const kiosk = await sock(await kioskToken(server.url, server.demoSecrets().kiosks['xingsha']!));
    const staff = await sock(await loginToken(server.url, 'xingsha-staff', 'xingsha-staff-demo'));
    const officerToken = await loginToken(server.url, 'officer1', 'officer1-demo');
    const officer = await sock(officerToken);
    const publish = nextEvent<{ sessionId: string }>(kiosk, 'session:publish');
    const started = await send(staff, 'staff:startIntake', { requestId: randomUUID() });
    expect(started).toMatchObject({ ok: true, data: { session: { kind: 'staff_intake', lead: 'staff', monitoring: false } } });
    const sessionId = started.ok ? started.data.session.sessionId : '';
    expect((await publish).sessionId).toBe(sessionId);
    expect(await send(kiosk, 'session:rejoin', { sessionId })).toMatchObject({ ok: true });

    const kioskSees = eventWhere<State>(kiosk, 'session:state', (st) => st.monitoring);
    const watched = await send(officer, 'session:watch', { sessionId, mode: 'monitor' });
    expect(watched).toMatchObject({ ok: true, data: { session: { monitoring: true } } });
    expect((await kioskSees).monitoring).toBe(true);
    // Silent means silent: a monitor cannot even create a producer.
    const t = await send(officer, 'rtc:createTransport', { sessionId, direction: 'send' });
    const transportId = t.ok ? t.data.id : '';
    expect(await send(officer, 'rtc:produce', { sessionId, transportId, kind: 'audio', rtpParameters: fakeAudio, source: 'microphone' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });

    const tookOver = eventWhere<State>(kiosk, 'session:state', (st) => st.lead === 'county');
    expect(await send(officer, 'session:setMode', { sessionId, mode: 'take_over' })).toMatchObject({ ok: true });
    expect(await tookOver).toMatchObject({ monitoring: false, lead: 'county' });
    expect(await send(officer, 'rtc:produce', { sessionId, transportId, kind: 'audio', rtpParameters: fakeAudio, source: 'microphone' })).toMatchObject({
      ok: true,
    });
    // Back to monitoring: what the officer was sending is closed on the server.
    expect(await send(officer, 'session:setMode', { sessionId, mode: 'monitor' })).toMatchObject({ ok: true });
    const supervisor = await loginToken(server.url, 'supervisor', 'supervisor-demo');
    const media = await api<{ peers: { role: string; producers: number }[] }>(server.url, 'GET', `/api/sessions/${sessionId}/media`, { token: supervisor });
    expect(media.body.peers.find((p) => p.role === 'county_officer')?.producers).toBe(0);

    const audit = await api<{ items: { action: string; details: { mode?: string } }[] }>(server.url, 'GET', `/api/audit?objectId=${sessionId}`, {
      token: supervisor,
    });
    expect(audit.body.items.filter((a) => a.action === 'session.mode').map((a) => a.details.mode)).toEqual(['monitor', 'take_over', 'monitor']);
    expect(audit.body.items.map((a) => a.action)).toContain('session.staff_intake');
    expect(await send(staff, 'session:end', { sessionId })).toMatchObject({ ok: true });
    const record = await api<{ endReason: string }>(server.url, 'GET', `/api/sessions/${sessionId}`, { token: supervisor });
    expect(record.body.endReason).toBe('staff_ended');
  });

  it("reception staff see their own room's session only", async () => {
    const kiosk = await sock(await kioskToken(server.url, server.demoSecrets().kiosks['langli']!));
    const started = await send(kiosk, 'call:start', { requestId: randomUUID() });
    const sessionId = started.ok ? started.data.sessionId : '';
    const staff = await sock(await loginToken(server.url, 'xingsha-staff', 'xingsha-staff-demo'));
    expect(await send(staff, 'staff:join', { sessionId })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await send(staff, 'rooms:list', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await send(kiosk, 'session:end', { sessionId });
  });

  it('an unanswered call escalates to the alert bar, and clears when answered; acknowledgements show who', async () => {
    const officerToken = await loginToken(server.url, 'officer2', 'officer2-demo');
    const officer = await sock(officerToken);
    const kiosk = await sock(await kioskToken(server.url, server.demoSecrets().kiosks['huanghua']!));
    const raised = waitForAlerts(officer, (a) => a.some((x) => x.kind === 'call_unanswered' && x.roomCode === 'huanghua'));
    const started = await send(kiosk, 'call:start', { requestId: randomUUID() });
    const sessionId = started.ok ? started.data.sessionId : '';
    const alerts = await raised;
    const alert = alerts.find((x) => x.kind === 'call_unanswered')!;
    const acked = waitForAlerts(officer, (a) => a.some((x) => x.id === alert.id && x.acknowledgedBy !== null));
    expect(await send(officer, 'alert:ack', { alertId: alert.id })).toMatchObject({ ok: true });
    expect((await acked).find((x) => x.id === alert.id)?.acknowledgedBy).toContain('李干事');
    const cleared = waitForAlerts(officer, (a) => !a.some((x) => x.id === alert.id));
    expect(await send(officer, 'call:answer', { sessionId })).toMatchObject({ ok: true });
    await cleared;
    await send(officer, 'session:end', { sessionId });
  });

  it('a kiosk dropping during office hours raises an offline alarm that clears when it is back', async () => {
    const officer = await sock(await loginToken(server.url, 'supervisor', 'supervisor-demo'));
    const token = await kioskToken(server.url, server.demoSecrets().kiosks['chunhua']!);
    const kiosk = await connect(server.url, token);
    const raised = waitForAlerts(officer, (a) => a.some((x) => x.kind === 'kiosk_offline' && x.roomCode === 'chunhua'));
    kiosk.close();
    await raised;
    const cleared = waitForAlerts(officer, (a) => !a.some((x) => x.kind === 'kiosk_offline' && x.roomCode === 'chunhua'));
    await sock(token);
    await cleared;
  });

  function waitForAlerts(s: TestSocket, ok: (a: { id: string; kind: string; roomCode: string; acknowledgedBy: string | null }[]) => boolean) {
    return new Promise<{ id: string; kind: string; roomCode: string; acknowledgedBy: string | null }[]>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('alert not seen')), 10_000);
      const on = ({ alerts }: { alerts: { id: string; kind: string; roomCode: string; acknowledgedBy: string | null }[] }) => {
        if (!ok(alerts)) return;
        clearTimeout(t);
        s.off('alerts', on);
        resolve(alerts);
      };
      s.on('alerts', on);
    });
  }
});

describe('a session survives a restart of the single-process server', () => {
  it('is picked up after a restart: the kiosk and the officer rejoin the same session; an abandoned one ends with server_restart', async () => {
    const first = await startTestServer({ env: { RECONNECT_GRACE_S: '8', VJ_TOPOLOGY: 'single-redis' } });
    let second: TestServer | undefined;
    const sockets: TestSocket[] = [];
    try {
      const kioskTok = await kioskToken(first.url, first.demoSecrets().kiosks['xingsha']!);
      const officerTok = await loginToken(first.url, 'officer1', 'officer1-demo');
      const kiosk = await connect(first.url, kioskTok);
      const officer = await connect(first.url, officerTok);
      sockets.push(kiosk, officer);
      const started = await send(kiosk, 'call:start', { requestId: randomUUID() });
      const sessionId = started.ok ? started.data.sessionId : '';
      expect(await send(officer, 'call:answer', { sessionId })).toMatchObject({ ok: true });
      const abandoned = await connect(first.url, await kioskToken(first.url, first.demoSecrets().kiosks['langli']!));
      const other = await send(abandoned, 'call:start', { requestId: randomUUID() });
      const abandonedId = other.ok ? other.data.sessionId : '';
      abandoned.close();

      await first.kill();
      second = await startTestServer({ reuse: { dataDir: first.dataDir, databaseUrl: first.databaseUrl, port: first.port }, env: { RECONNECT_GRACE_S: '8' } });
      for (const s of [kiosk, officer]) s.close();
      const kiosk2 = await connect(second.url, kioskTok);
      const officer2 = await connect(second.url, officerTok);
      sockets.push(kiosk2, officer2);
      expect(await send(kiosk2, 'session:mine', {})).toMatchObject({ ok: true, data: { sessions: [{ sessionId }] } });
      expect(await send(kiosk2, 'session:rejoin', { sessionId })).toMatchObject({ ok: true, data: { session: { sessionId, state: 'active' } } });
      expect(await send(officer2, 'session:rejoin', { sessionId })).toMatchObject({ ok: true });
      // The media path works again on the new process: a router and transports for the same session.
      expect(await send(kiosk2, 'rtc:createTransport', { sessionId, direction: 'send' })).toMatchObject({ ok: true });

      const sup = await loginToken(second.url, 'supervisor', 'supervisor-demo');
      await waitFor(
        'abandoned session closed after the grace period',
        async () => {
          const r = await api<{ state: string; endReason: string | null }>(second!.url, 'GET', `/api/sessions/${abandonedId}`, { token: sup });
          return r.body.state === 'ended' && r.body.endReason === 'server_restart';
        },
        { timeoutMs: 20_000 },
      );
      const kept = await api<{ state: string }>(second.url, 'GET', `/api/sessions/${sessionId}`, { token: sup });
      expect(kept.body.state).toBe('active');
    } finally {
      for (const s of sockets) s.close();
      await second?.stop();
      await first.stop();
    }
  });
});
