import { describe, expect, it } from 'vitest';
import { api, loginToken } from '../helpers/api.js';
import { callAndAnswer, consoleAndIdleKiosk, waitForScreen } from '../helpers/apps.js';
import { elementStats, framesRising, videoTrackId } from '../helpers/browser.js';
import { useServerAndBrowser } from '../helpers/e2e.js';
import { waitFor } from '../helpers/poll.js';

type Dump = { routers: number; transports: number; producers: number; consumers: number };

describe('a mediasoup worker killed mid-call', () => {
  const env = useServerAndBrowser();

  it('kill -9 of the call’s worker: the session is re-created on a healthy worker and frames come back both ways', async () => {
    const server = env.server();
    const room = 'qingshanpu';
    const { consolePage, kiosk } = await consoleAndIdleKiosk(env.browser(), server.url, server.demoSecrets().kiosks[room]!, room);
    await callAndAnswer(kiosk, consolePage, room);
    await waitForScreen(kiosk, 'in_call');
    await framesRising(consolePage, 'remote-video', waitFor);
    const token = await loginToken(server.url, 'supervisor', 'supervisor-demo');
    const rooms = await api<{ rooms: { code: string; sessionId: string | null }[] }>(server.url, 'GET', '/api/rooms', { token });
    const sessionId = rooms.body.rooms.find((r) => r.code === room)!.sessionId!;
    const media = await api<{ workerPid: number }>(server.url, 'GET', `/api/sessions/${sessionId}/media`, { token });
    const pid = media.body.workerPid;
    expect(pid).toBeGreaterThan(0);

    const pageLog: string[] = [];
    for (const [name, p] of [
      ['console', consolePage],
      ['kiosk', kiosk],
    ] as const)
      p.on('console', (m) => pageLog.push(`${name} ${m.type()} ${m.text()}`));
    const oldTrack = await videoTrackId(consolePage, 'remote-video');
    expect(oldTrack).toBeTruthy();
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    // Frames on the console again, from new transports: the old consumer's count cannot rise any more.
    await waitFor(
      'console decodes the kiosk again',
      async () => {
        // A new track (the rebuilt consumer) with frames decoded: the old one cannot pass for it.
        const track = await videoTrackId(consolePage, 'remote-video');
        const now = await elementStats(consolePage, 'remote-video');
        return track && track !== oldTrack && now.videoFramesDecoded > 10 ? now : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    ).catch(async (err: Error) => {
      console.log(
        pageLog.join('\n'),
        JSON.stringify(await elementStats(consolePage, 'remote-video')),
        await consolePage.$eval('[data-testid=notice]', (e) => e.textContent).catch(() => null),
        // What the server did meanwhile: the reason a session ended instead of being restored is only there.
        server.logs.slice(-60).join('\n'),
      );
      throw err;
    });
    const consoleBackMs = Date.now() - killedAt;
    await framesRising(consolePage, 'remote-video', waitFor);
    await kiosk.bringToFront();
    await framesRising(kiosk, 'remote-video', waitFor);
    const kioskBackMs = Date.now() - killedAt;
    const after = await api<{ workerPid: number }>(server.url, 'GET', `/api/sessions/${sessionId}/media`, { token });
    expect(after.body.workerPid).not.toBe(pid);
    const record = await api<{ state: string }>(server.url, 'GET', `/api/sessions/${sessionId}`, { token });
    expect(record.body.state).toBe('active');
    expect(server.logs.some((l) => l.includes('session media lost: its SFU worker died'))).toBe(true);
    console.log(`[worker-death] media restored: console decoding after ${consoleBackMs} ms, kiosk frames rising by ${kioskBackMs} ms`);

    await consolePage.bringToFront();
    await consolePage.$eval('[data-testid=hangup-button]', (el) => (el as HTMLButtonElement).click());
    for (const p of [consolePage, kiosk]) await p.close();
    // Nothing left behind but the wall's router, checked with the SFU's own dump.
    const left = await waitFor(
      'SFU empty but for the wall',
      async () => {
        const d = (await api<Dump>(server.url, 'GET', '/api/admin/sfu', { token })).body;
        return d.routers <= 1 && d.transports === 0 && d.producers === 0 && d.consumers === 0 ? d : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(left.routers).toBeLessThanOrEqual(1);
  });
});
