import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConsole, press } from '../helpers/apps.js';
import { launchBrowser } from '../helpers/browser.js';
import { openCase, text } from '../helpers/case-screens.js';
import { englishOnScreen } from '../helpers/english.js';
import { loginAll, officerClaims, petitionBody } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';
import { waitFor } from '../helpers/poll.js';
import { encodeClip } from '../helpers/rtp.js';
import { rtpCall } from '../helpers/rtp-call.js';
import type { TestSocket } from '../helpers/sockets.js';

// A call's recording on its case page, in Chromium: while the call goes on the officer is told when it can be played,
// the page notices by itself when the recording is stored, and the audited playback shows the call's video in the
// page's own <video> element (its decoded frames, not only a 200).

describe('recording playback on the case page', () => {
  let s: InProcessServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  const clip = path.join(os.tmpdir(), 'vj-recording-clip.webm');
  const senders: ChildProcess[] = [];
  let kiosk: TestSocket | undefined;

  beforeAll(async () => {
    encodeClip(clip);
    s = await startInProcess();
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    for (const p of senders) p.kill('SIGKILL');
    kiosk?.close();
    await browser?.cleanup();
    await s?.stop();
  });

  it('Play waits for the call to end and the recording to be stored, comes on by itself, and plays the call in the page', async () => {
    // A kiosk call whose camera and microphone are ffmpeg senders, recorded by the server; a matter filed from it.
    const call = await rtpCall(s, 'langli', clip);
    senders.push(...call.senders);
    kiosk = call.kiosk;
    const officer = (await loginAll(s.url, ['officer1']))['officer1']!.user;
    const receipt = await s.server.ctx.petitions.submit(
      officerClaims(officer),
      petitionBody('langli', null, {
        sessionId: call.sessionId,
        // The fixture's unit carries the township's code; on a screen checked for English the officer's words are Chinese.
        accused: [
          {
            name: '李某某',
            unit: '榔梨街道某村委会',
            position: '村主任',
            townshipCode: null,
            officialCode: null,
            managementLevel: 'village_cadre',
            standing: 'none',
          },
        ],
      }) as never,
    );
    await waitFor(
      'a first stored segment',
      async () => {
        const r = await s.server.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM recording_segments g JOIN recordings r ON r.id = g.recording_id WHERE r.session_id = $1`,
          [call.sessionId],
        );
        return r.rows[0]!.n > 0;
      },
      { timeoutMs: 60_000 },
    );

    const page = await openConsole(browser, s.url, 'officer1', 'officer1-demo');
    await page.click('[data-testid=nav-cases]');
    await openCase(page, receipt.caseCode);
    await page.waitForSelector('[data-testid=recording-panel]', { timeout: 20_000 });
    // Still recording: Play is off and the officer is told why.
    expect(await page.$eval('[data-testid=recording-play]', (b) => (b as HTMLButtonElement).disabled)).toBe(true);
    expect(await text(page, '[data-testid=recording-not-yet]')).toContain('录像保存完毕后即可播放');

    // The villager ends the call; without reloading, the page sees the stored recording and turns Play on.
    // The answer comes once the recording is stored: on a loaded machine longer than send()'s 15 s.
    const ended = (await call.kiosk.timeout(60_000).emitWithAck('session:end', { sessionId: call.sessionId })) as { ok: boolean };
    expect(ended.ok).toBe(true);
    for (const p of senders) p.kill('SIGKILL');
    await waitFor('Play on by itself', () => page.$eval('[data-testid=recording-play]', (b) => !(b as HTMLButtonElement).disabled).catch(() => false), {
      timeoutMs: 60_000,
    });
    expect(await page.$('[data-testid=recording-not-yet]')).toBeNull();
    expect(await text(page, '[data-testid=recording-panel] h3')).toContain('已完成');

    await press(page, 'recording-play');
    await page.waitForSelector('[data-testid=recording-video]', { timeout: 60_000 });
    // The element the officer looks at decodes the call's frames and its clock moves.
    const shown = await waitFor(
      'the recording playing in the page',
      () =>
        page.$eval('[data-testid=recording-video]', (v) => {
          const video = v as HTMLVideoElement;
          const frames = video.getVideoPlaybackQuality().totalVideoFrames;
          return frames >= 20 && video.currentTime >= 1 && video.videoWidth > 0 ? { frames, width: video.videoWidth, t: video.currentTime } : null;
        }),
      { timeoutMs: 60_000 },
    );
    expect(shown.width).toBe(320);
    const audited = await s.server.db.query(`SELECT 1 FROM audit_log WHERE action = 'recording.playback' AND actor_id = $1`, [officer.id]);
    expect(audited.rowCount).toBeGreaterThan(0);
    const eng = await englishOnScreen(page);
    expect(eng, JSON.stringify(eng)).toEqual([]);
    await page.close();
  }, 300_000);
});
