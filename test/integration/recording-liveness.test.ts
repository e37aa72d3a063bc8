import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { api } from '../helpers/api.js';
import { loginAll, type Logins } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';
import { waitFor } from '../helpers/poll.js';
import { encodeClip } from '../helpers/rtp.js';
import { rtpCall } from '../helpers/rtp-call.js';
import { nextEvent, send, type TestSocket } from '../helpers/sockets.js';

// The recorder's liveness check on a real server, real ffmpeg and real mediasoup: it must neither cry wolf
// (a wall-clock step) nor miss a recorder that really stopped writing.
type Events = { kind: string; reason: string }[];

let s: InProcessServer;
let logins: Logins;
const clip = path.join(os.tmpdir(), 'vj-recording-clip.webm');
const senders: ChildProcess[] = [];
const sockets: TestSocket[] = [];

beforeAll(async () => {
  encodeClip(clip);
  s = await startInProcess();
  logins = await loginAll(s.url, ['supervisor']);
});
afterAll(async () => {
  for (const p of senders) p.kill('SIGKILL');
  for (const k of sockets) k.close();
  await s?.stop();
});

const recordingOf = async (sessionId: string) =>
  (
    await api<{ recording: { status: string; events: Events; segments: unknown[] } | null }>(s.url, 'GET', `/api/sessions/${sessionId}/recording`, {
      token: logins['supervisor']!.accessToken,
    })
  ).body.recording;

async function liveCall(room: string) {
  const call = await rtpCall(s, room, clip);
  senders.push(...call.senders);
  sockets.push(call.kiosk);
  await waitFor('both tracks stored a segment', async () => ((await recordingOf(call.sessionId))?.segments.length ?? 0) >= 2, { timeoutMs: 30_000 });
  return call;
}

describe('recorder liveness', () => {
  it('a forward step of the wall clock (NTP) during a call raises no stall, no gap and no alert', async () => {
    const { sessionId, kiosk } = await liveCall('xingsha');
    const realNow = Date.now.bind(Date);
    let offset = 0;
    const spy = vi.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);
    // Five seconds ahead every second, for eight seconds: every look sees a "silence" longer than the limit.
    const stepper = setInterval(() => (offset += 5_000), 1_000);
    try {
      // waitFor's deadline reads Date.now, which is the thing being stepped: watch the monotonic clock instead.
      const t0 = performance.now();
      while (performance.now() - t0 < 8_000) await new Promise((r) => setTimeout(r, 200));
    } finally {
      clearInterval(stepper);
      spy.mockRestore();
    }
    const rec = await recordingOf(sessionId);
    expect(rec!.events.filter((e) => e.kind === 'gap_start')).toEqual([]);
    expect(s.server.ctx.calls.alerts.list().filter((a) => a.kind === 'recorder_failed' && a.roomCode === 'xingsha')).toEqual([]);
    expect((await send(kiosk, 'session:end', { sessionId })).ok).toBe(true);
  });

  it('a recorder that really stops writing (ffmpeg frozen) is reported as recorder_stalled within 10 s, and the gap closes when it writes again', async () => {
    const { sessionId, videoProducer, kiosk } = await liveCall('langli');
    const pid = await waitFor('video recorder running', () => s.server.ctx.recorder.trackProcess(sessionId, videoProducer)?.pid);
    const stoppedAt = performance.now();
    process.kill(pid, 'SIGSTOP');
    try {
      const gap = await waitFor('a stall is recorded', async () => (await recordingOf(sessionId))?.events.find((e) => e.kind === 'gap_start'), {
        timeoutMs: 15_000,
      });
      const ms = performance.now() - stoppedAt;
      console.log(`frozen recorder reported after ${ms.toFixed(0)} ms`);
      expect(gap.reason).toBe('recorder_stalled');
      expect(ms).toBeLessThan(10_000);
      expect(s.server.ctx.calls.alerts.list().some((a) => a.kind === 'recorder_failed' && a.roomCode === 'langli')).toBe(true);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitFor('the gap closes once it writes again', async () => (await recordingOf(sessionId))?.events.some((e) => e.kind === 'gap_end'), {
      timeoutMs: 15_000,
    });
    expect((await send(kiosk, 'session:end', { sessionId })).ok).toBe(true);
  });

  it('a recorder slow to stop does not hold the hang-up: the villager’s screen is told at once, the recording closes after', async () => {
    const { sessionId, videoProducer, kiosk } = await liveCall('jinjing');
    const pid = await waitFor('video recorder running', () => s.server.ctx.recorder.trackProcess(sessionId, videoProducer)?.pid);
    // A frozen ffmpeg ignores the polite stop; the recorder waits its 5 s before killing it.
    process.kill(pid, 'SIGSTOP');
    try {
      const ended = nextEvent<{ sessionId: string; reason: string }>(kiosk, 'session:ended', 10_000);
      const acked = new Promise((resolve) => kiosk.emit('session:end', { sessionId }, resolve));
      const hungUpAt = performance.now();
      const pushed = await ended;
      const ms = performance.now() - hungUpAt;
      console.log(`hang-up told to the kiosk after ${ms.toFixed(0)} ms, the recorder still stopping`);
      expect(pushed).toMatchObject({ sessionId, reason: 'caller_cancelled' }); // nobody answered this kiosk's call
      expect((await recordingOf(sessionId))?.status).not.toBe('complete');
      expect(ms).toBeLessThan(3_000);
      await acked;
    } finally {
      // Killed by the recorder by now, unless the test failed before the hang-up was answered.
      if (s.server.ctx.recorder.trackProcess(sessionId, videoProducer)?.pid === pid) process.kill(pid, 'SIGCONT');
    }
    const done = await waitFor('the recording closes', async () => ((await recordingOf(sessionId))?.status === 'complete' ? true : undefined), {
      timeoutMs: 20_000,
    });
    expect(done).toBe(true);
  });
});
