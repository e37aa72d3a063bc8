// A hang-up is pushed to the screens before its answer, which comes only once the call's recording is closed
// (seconds, on a busy machine or with a stuck recorder). An officer who meanwhile answers the next caller from
// the queue must stay in that call when the late answer arrives: before, it ended whatever call the console was in.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { api, loginToken } from '../helpers/api.js';
import { oneAnsweredOneRinging, pressAnswer, openConsole, openKiosk, screenOf, waitForScreen } from '../helpers/apps.js';
import { framesRising } from '../helpers/browser.js';
import { useServerAndBrowser } from '../helpers/e2e.js';
import { waitFor } from '../helpers/poll.js';

/** The recorder's ffmpeg processes of one recording (their work directory is named for it). */
const recorderPids = (recordingId: string) => execFileSync('pgrep', ['-f', recordingId], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);

describe('the answer to a hang-up that comes late', () => {
  const env = useServerAndBrowser();

  it('does not end the next call the officer has answered meanwhile', async () => {
    const server = env.server();
    const browser = env.browser();
    const console_ = await openConsole(browser, server.url, 'officer1', 'officer1-demo');
    const first = await openKiosk(browser, server.url, server.demoSecrets().kiosks['xingsha']!);
    const next = await openKiosk(browser, server.url, server.demoSecrets().kiosks['langli']!);
    for (const k of [first, next]) await waitForScreen(k, 'idle');
    await oneAnsweredOneRinging(next, first, console_, 'xingsha');

    const token = await loginToken(server.url, 'officer1', 'officer1-demo');
    const rooms = await api<{ rooms: { code: string; sessionId: string | null }[] }>(server.url, 'GET', '/api/rooms', { token });
    const sessionId = rooms.body.rooms.find((r) => r.code === 'xingsha')!.sessionId!;
    const recordingOf = async () =>
      (await api<{ recording: { id: string; status: string } | null }>(server.url, 'GET', `/api/sessions/${sessionId}/recording`, { token })).body.recording;
    const recording = await waitFor('the first call recording', recordingOf);
    // A stuck recorder: the hang-up's answer waits until it is killed (5 s), the screens are told after 1 s.
    const pids = await waitFor('its recorders running', async () => (recorderPids(recording.id).length > 0 ? recorderPids(recording.id) : undefined));
    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    try {
      await console_.bringToFront();
      await console_.click('[data-testid=hangup-button]');
      // Told, the console is back on the wall and answers langli from the queue before the old answer is in.
      await pressAnswer(console_, 'langli');
      expect((await recordingOf())?.status).not.toBe('complete');
      await next.bringToFront();
      await waitForScreen(next, 'in_call', 45_000);
    } finally {
      for (const pid of pids) {
        // Killed by the recorder by now, unless the test failed early.
        if (recorderPids(recording.id).includes(pid)) process.kill(pid, 'SIGCONT');
      }
    }
    // The old call's recording closed, its answer has come back; the console is still in the new call.
    await waitFor('the first recording closed', async () => ((await recordingOf())?.status === 'complete' ? true : undefined), { timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 2000));
    await console_.bringToFront();
    expect(await console_.$('[data-testid=hangup-button]')).not.toBeNull();
    await framesRising(console_, 'remote-video', waitFor);
    expect(await screenOf(next)).toBe('in_call');
    expect(await screenOf(first)).not.toBe('in_call');
  });
});
