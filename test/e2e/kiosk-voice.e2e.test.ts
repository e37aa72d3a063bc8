import { randomUUID } from 'node:crypto';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertView } from '@vj/shared';
import { api, loginToken } from '../helpers/api.js';
import { callAndAnswer, openConsole, tileState, waitForScreen } from '../helpers/apps.js';
import { audioLog, expectSpoken, installAudioProbe, overlappingClips, soundUntilSilence, waitForSilence } from '../helpers/audio-probe.js';
import { launchBrowser, newInstrumentedPage } from '../helpers/browser.js';
import { petitionBody } from '../helpers/fixtures.js';
import { checkScreenAtAllSizes } from '../helpers/layout.js';
import { waitFor } from '../helpers/poll.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { connect, eventWhere, send, type TestSocket } from '../helpers/sockets.js';

type RoomsBody = { rooms: { code: string; sessionId: string | null }[] };

const text = (page: Page, sel: string) => page.$eval(sel, (el) => (el as HTMLElement).innerText).catch(() => '');
/** Clicks in the page itself: a background tab in headless Chromium never finishes puppeteer's scroll-into-view. */
const press = (page: Page, testId: string) => page.$eval(`[data-testid=${testId}]`, (el) => (el as HTMLElement).click());
const attr = (page: Page, sel: string, name: string) => page.$eval(sel, (el, n) => el.getAttribute(n), name).catch(() => null);

describe('the kiosk speaks without a browser voice, tells the villager the truth, and fits common screens', () => {
  let server: TestServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    // A short escalation time: the "nobody answered" turn comes within the test, yet after the queue prompts
    // before it have been heard (about 25 s on a busy machine).
    server = await startTestServer({ env: { ESCALATE_AFTER_S: '45' } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    const show = process.env['VJ_SHOW_SERVER_LOGS'];
    if (show) console.log(server?.logs.filter((l) => new RegExp(show).test(l)).join('\n'));
    for (const s of sockets) s.close();
    await browser?.cleanup();
    await server?.stop();
  });

  async function openKiosk(room: string, opts: { cameraBroken?: boolean } = {}): Promise<Page> {
    const page = await newInstrumentedPage(browser);
    await installAudioProbe(page);
    if (opts.cameraBroken) {
      await page.evaluateOnNewDocument(() => {
        navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
      });
    }
    await page.goto(`${server.url}/kiosk/#device=${server.demoSecrets().kiosks[room]!}`);
    await waitForScreen(page, 'idle');
    return page;
  }

  async function countySocket(username: string): Promise<{ socket: TestSocket; token: string }> {
    const token = await loginToken(server.url, username, `${username}-demo`);
    const socket = await connect(server.url, token);
    sockets.push(socket);
    return { socket, token };
  }

  async function sessionOf(room: string, token: string): Promise<string> {
    return waitFor(
      `session of ${room}`,
      async () => (await api<RoomsBody>(server.url, 'GET', '/api/rooms', { token })).body.rooms.find((r) => r.code === room)?.sessionId,
    );
  }

  it('plays Mandarin clips at every state change (idle, calling, queue, unanswered, in call, private, receipt digits, end, lookup, trouble) and 单独反映 can be asked again', async () => {
    const [A, B, C] = ['langli', 'jinjing', 'chunhua'];
    const t0 = Date.now();
    const mark = (what: string) => console.log(`[kiosk voice ${((Date.now() - t0) / 1000).toFixed(1)} s] ${what}`);
    const { socket: officer, token } = await countySocket('officer1');

    // Idle: Chromium here has no speech voice at all, so whatever is heard comes from the shipped clips.
    const kiosk = await kioskWithIdlePrompt(A);
    mark('idle heard');
    expect(await kiosk.evaluate(() => speechSynthesis.getVoices().length)).toBe(0);

    mark('no browser voice');
    // Another room calls first, so this kiosk's place in the queue changes while it waits.
    const other = await openKiosk(B);
    mark('second kiosk idle');
    await press(other, 'call-button');
    await waitForScreen(other, 'waiting');
    mark('second kiosk waiting');

    await expectSpoken(kiosk, 'calling', async () => {
      await press(kiosk, 'call-button');
      await waitForScreen(kiosk, 'waiting');
    });
    await waitFor('second in the queue', async () => (await text(kiosk, '[data-testid=queue-position]')).includes('前面还有 1 位'));

    await expectSpoken(kiosk, 'queue update', async () => {
      // The other call may already have had its own "nobody answered" turn: say "keep waiting" first, then cancel.
      if (!(await other.$('[data-testid=cancel-button]'))) await press(other, 'keep-waiting');
      await other.waitForSelector('[data-testid=cancel-button]');
      await press(other, 'cancel-button');
      await waitFor('first in the queue', async () => (await text(kiosk, '[data-testid=queue-position]')).includes('第一位'));
    });
    // A call nobody answered filed nothing: the end screen does not promise that the county will pursue a matter.
    await waitForScreen(other, 'ended');
    expect(await text(other, '[data-testid=ended-words]')).toContain('没有接通');
    expect(await text(other, '[data-testid=ended]')).not.toContain('督促办理');
    // …and does not thank aloud for it either: it says that the call did not go through. Which clip played is told
    // by its length: each clip's, decoded in the page, against the one the probe saw start after the end screen.
    const lengths = await other.evaluate(async (base: string) => {
      const manifest = (await (await fetch(`${base}manifest.json`)).json()) as { clips: Record<string, string> };
      const ctx = new OfflineAudioContext(1, 1, 48_000);
      const length = async (id: string) => (await ctx.decodeAudioData(await (await fetch(`${base}${manifest.clips[id]}`)).arrayBuffer())).duration;
      return { unanswered: await length('endedUnanswered'), thanks: await length('ended') };
    }, '/kiosk/prompts/');
    expect(Math.abs(lengths.unanswered - lengths.thanks)).toBeGreaterThan(0.2);
    const isEnd = (d: number) => Math.abs(d - lengths.unanswered) < 0.001 || Math.abs(d - lengths.thanks) < 0.001;
    const played = await waitFor('an end said', async () => (await audioLog(other)).clips.find((c) => isEnd(c.duration))?.duration);
    expect(played).toBeCloseTo(lengths.unanswered, 3);
    await other.close();

    mark('queue update heard');
    // Past the escalation time: no more "right away"; a choice instead, said aloud.
    await expectSpoken(kiosk, 'unanswered', () =>
      waitFor('unanswered turn', async () => (await attr(kiosk, '[data-testid=waiting]', 'data-unanswered')) === 'true', { timeoutMs: 70_000 }),
    );
    expect(await text(kiosk, '[data-testid=waiting]')).not.toContain('马上为您接通');
    await expectSpoken(kiosk, 'keep waiting', () => press(kiosk, 'keep-waiting'));

    mark('unanswered and keep-waiting heard');
    const sessionId = await sessionOf(A, token);
    await expectSpoken(kiosk, 'answered', async () => {
      const answered = await send(officer, 'call:answer', { sessionId });
      expect(answered.ok).toBe(true);
      await waitForScreen(kiosk, 'in_call');
    });
    // Issue 14.8: who can see and hear the villager, from the session itself.
    await waitFor('presence names the county officer', async () => (await attr(kiosk, '[data-testid=presence]', 'data-county')) === 'true');

    mark('answered heard');
    // 单独反映: asked, granted, ended — and then it can be asked again (it used to stay disabled for the call).
    const requested = () => eventWhere<{ sessionId: string }>(officer, 'session:privateRequested', (p) => p.sessionId === sessionId, 10_000);
    await expectSpoken(kiosk, 'private requested', async () => {
      const request = requested();
      await press(kiosk, 'request-private');
      await request;
    });
    await expectSpoken(kiosk, 'private on', async () => {
      expect((await send(officer, 'session:setPrivate', { sessionId, private: true })).ok).toBe(true);
      await kiosk.waitForSelector('[data-testid=private-banner]');
    });
    await expectSpoken(kiosk, 'private off', async () => {
      expect((await send(officer, 'session:setPrivate', { sessionId, private: false })).ok).toBe(true);
      await waitFor('private banner gone', async () => (await kiosk.$('[data-testid=private-banner]')) === null);
    });
    await waitFor('单独反映 can be asked again', async () => {
      const [disabled, label] = await kiosk.$eval(
        '[data-testid=request-private]',
        (el) => [(el as HTMLButtonElement).disabled, (el as HTMLElement).innerText] as const,
      );
      return !disabled && label === '申请单独反映';
    });
    const again = requested();
    await press(kiosk, 'request-private');
    await again;

    mark('private on/off heard, asked again');
    // The receipt: every digit read aloud from the digit clips, twice.
    const before = await waitForSilence(kiosk, 'receipt');
    const filed = await api<{ caseCode: string; pin: string }>(server.url, 'POST', '/api/petitions', { token, body: petitionBody(A, null, { sessionId }) });
    expect(filed.status).toBeLessThan(300);
    await kiosk.waitForSelector('[data-testid=receipt]');
    const receiptMs = await soundUntilSilence(kiosk, 'receipt', before);
    const receiptClips = (await audioLog(kiosk)).clips.length - before.clips.length;
    console.log(`receipt read aloud: ${receiptMs} ms of sound from ${receiptClips} clips`);
    // "您的查询号是" + 10 digits + "查询密码是" + 6 digits + "请妥善保管", twice.
    expect(receiptClips).toBeGreaterThanOrEqual(2 * (10 + 6 + 3));
    expect(receiptMs).toBeGreaterThan(8000);
    await press(kiosk, 'receipt-done');

    mark('receipt heard');
    // Hanging up asks first; then the end is said.
    await expectSpoken(kiosk, 'end confirmation', () => press(kiosk, 'end-button'));
    await expectSpoken(kiosk, 'ended', async () => {
      await kiosk.waitForSelector('[data-testid=end-confirm-yes]');
      await press(kiosk, 'end-confirm-yes');
      await waitForScreen(kiosk, 'ended');
    });

    mark('end heard');
    // Lookup: the prompt for the code, and the result read from the status clips.
    await press(kiosk, 'home-button');
    await waitForScreen(kiosk, 'idle');
    await expectSpoken(kiosk, 'lookup', () => press(kiosk, 'lookup-button'));
    for (const d of filed.body.caseCode) await press(kiosk, `pad-${d}`);
    await press(kiosk, 'pad-next');
    for (const d of filed.body.pin) await press(kiosk, `pad-${d}`);
    await expectSpoken(kiosk, 'lookup result', async () => {
      await press(kiosk, 'pad-next');
      await kiosk.waitForSelector('[data-testid=lookup-status]');
    });
    expect(overlappingClips(await audioLog(kiosk))).toBe(0);

    mark('lookup heard');
    // Trouble: a refused camera is said aloud, and the county gets a 摄像头故障 alert for that room.
    const broken = await openKiosk(C, { cameraBroken: true });
    const alerted = eventWhere<{ alerts: AlertView[] }>(
      officer,
      'alerts',
      (p) => p.alerts.some((a) => a.kind === 'kiosk_device_fault' && a.roomCode === C),
      30_000,
    );
    await expectSpoken(broken, 'camera trouble', async () => {
      await press(broken, 'call-button');
      await waitForScreen(broken, 'trouble');
    });
    await alerted;
    expect(await attr(broken, '[data-testid=trouble]', 'data-reported')).toBe('true');
    expect(await text(broken, '[data-testid=trouble]')).toContain('已通知县纪委监委');
    for (const p of [kiosk, broken]) await p.close();

    async function kioskWithIdlePrompt(room: string): Promise<Page> {
      const page = await newInstrumentedPage(browser);
      await installAudioProbe(page);
      await page.goto(`${server.url}/kiosk/#device=${server.demoSecrets().kiosks[room]!}`);
      await waitForScreen(page, 'idle');
      // A fresh page has been silent until now: any sound is the idle prompt.
      await waitFor('idle prompt heard', async () => (await audioLog(page)).loudMs >= 1000);
      return page;
    }
  }, 400_000);

  it('every kiosk screen holds at 1280×800, 1366×768, 1920×1080 and 1080×1920; an unanswered villager can leave a callback; a staff intake says who is watching', async () => {
    const problems: string[] = [];
    const t0 = Date.now();
    const check = async (page: Page, screen: string, root?: string) => {
      await page.bringToFront(); // a background tab is not laid out or painted
      problems.push(...(await checkScreenAtAllSizes(page, 'kiosk', screen, root)));
      console.log(`[kiosk layout ${((Date.now() - t0) / 1000).toFixed(1)} s] ${screen} checked`);
    };
    const room = 'kaihui';
    const { socket: supervisor, token } = await countySocket('supervisor');

    const broken = await openKiosk('changlong', { cameraBroken: true });
    await press(broken, 'call-button');
    await waitForScreen(broken, 'trouble');
    await check(broken, 'trouble');
    await broken.close();

    const kiosk = await openKiosk(room);
    await check(kiosk, 'idle');
    await press(kiosk, 'lookup-button');
    await check(kiosk, 'lookup');
    // A code and PIN that match nothing: the code typed is shown as a receipt prints it, and typing both again comes first.
    for (const d of '1234567890') await press(kiosk, `pad-${d}`);
    await press(kiosk, 'pad-next');
    for (const d of '000000') await press(kiosk, `pad-${d}`);
    await press(kiosk, 'pad-next');
    await kiosk.waitForSelector('[data-testid=lookup-typed-code]');
    expect(await text(kiosk, '[data-testid=lookup-typed-code]')).toContain('1234 567 890');
    await check(kiosk, 'lookup-refused');
    await press(kiosk, 'lookup-back');
    await waitForScreen(kiosk, 'idle');

    // Waiting, then the unanswered turn with its choice, then a callback that reaches the county.
    await press(kiosk, 'call-button');
    await waitForScreen(kiosk, 'waiting');
    // The recording starts with the kiosk's camera, before anyone answers: the waiting screen says so.
    await waitFor('the waiting screen says it is recorded', async () => (await kiosk.$('[data-testid=waiting-recorded]')) !== null, { timeoutMs: 20_000 });
    expect(await text(kiosk, '[data-testid=waiting-recorded]')).toContain('录像');
    await check(kiosk, 'waiting');
    await waitFor('unanswered turn', async () => (await attr(kiosk, '[data-testid=waiting]', 'data-unanswered')) === 'true', { timeoutMs: 70_000 });
    // The choice does not trap the villager: 取消呼叫 is still there, laid out with it at every size.
    expect(await kiosk.$('[data-testid=keep-waiting]')).not.toBeNull();
    expect(await text(kiosk, '[data-testid=cancel-button]')).toBe('取消呼叫');
    await check(kiosk, 'waiting-unanswered');
    const callback = eventWhere<{ alerts: AlertView[] }>(
      supervisor,
      'alerts',
      (p) => p.alerts.some((a) => a.kind === 'callback_requested' && a.roomCode === room),
      10_000,
    );
    await press(kiosk, 'request-callback');
    await waitForScreen(kiosk, 'callback');
    await callback;
    await check(kiosk, 'callback');
    await press(kiosk, 'home-button');
    await waitForScreen(kiosk, 'idle');

    // A county call with the officer's video.
    const consolePage = await openConsole(browser, server.url, 'officer2', 'officer2-demo');
    await waitFor('console shows the kiosk online', async () => (await tileState(consolePage, room)) === 'online');
    await kiosk.bringToFront();
    await callAndAnswer(kiosk, consolePage, room);
    await waitForScreen(kiosk, 'in_call');
    await kiosk.bringToFront();
    await waitFor('officer video on the kiosk', async () => (await attr(kiosk, '[data-testid=call-media]', 'data-remote')) === 'true', { timeoutMs: 20_000 });
    expect(await text(kiosk, '[data-testid=presence]')).toContain('县纪委监委');
    await check(kiosk, 'in-call');
    await press(kiosk, 'end-button');
    await kiosk.waitForSelector('[data-testid=end-confirm]');
    await check(kiosk, 'end-confirm');
    await press(kiosk, 'end-cancel');
    await kiosk.waitForSelector('[data-testid=end-button]');
    const sessionId = await sessionOf(room, token);
    await consolePage.$eval('[data-testid=private-toggle]', (el) => (el as HTMLButtonElement).click());
    await kiosk.waitForSelector('[data-testid=private-banner]');
    await check(kiosk, 'private');
    await consolePage.$eval('[data-testid=private-toggle]', (el) => (el as HTMLButtonElement).click());
    const officerToken = await loginToken(server.url, 'officer2', 'officer2-demo');
    const filed = await api(server.url, 'POST', '/api/petitions', { token: officerToken, body: petitionBody(room, null, { sessionId }) });
    expect(filed.status).toBeLessThan(300);
    await kiosk.waitForSelector('[data-testid=receipt]');
    await check(kiosk, 'receipt', '.receipt-overlay');
    await press(kiosk, 'receipt-done');
    await press(kiosk, 'end-button');
    await kiosk.waitForSelector('[data-testid=end-confirm-yes]');
    await press(kiosk, 'end-confirm-yes');
    await waitForScreen(kiosk, 'ended');
    expect(await text(kiosk, '[data-testid=ended-words]')).toContain('督促办理');
    await check(kiosk, 'ended');
    await consolePage.close();
    await kiosk.close();

    // A staff intake: before anyone from the county joins, the kiosk says only the staff see and hear, and
    // shows no empty black box; a county monitor joining changes what it says.
    const intakeRoom = 'xingsha';
    const intakeKiosk = await openKiosk(intakeRoom);
    const staffToken = await loginToken(server.url, 'xingsha-staff', 'xingsha-staff-demo');
    const staff = await connect(server.url, staffToken);
    sockets.push(staff);
    const started = await send(staff, 'staff:startIntake', { requestId: randomUUID() });
    expect(started.ok).toBe(true);
    const intakeId = (started as { ok: true; data: { session: { sessionId: string } } }).data.session.sessionId;
    await waitForScreen(intakeKiosk, 'in_call');
    await waitFor('presence: staff only', async () => (await attr(intakeKiosk, '[data-testid=presence]', 'data-staff')) === 'true');
    expect(await attr(intakeKiosk, '[data-testid=presence]', 'data-county')).toBe('false');
    expect(await text(intakeKiosk, '[data-testid=presence]')).toContain('县纪委监委暂未加入');
    expect(await intakeKiosk.$('[data-testid=remote-video]')).toBeNull();
    expect(await text(intakeKiosk, '[data-testid=in-call]')).not.toContain('县纪委监委能看到');
    await check(intakeKiosk, 'staff-intake');
    expect((await send(supervisor, 'session:watch', { sessionId: intakeId, mode: 'monitor' })).ok).toBe(true);
    await waitFor('presence: county monitoring', async () => (await attr(intakeKiosk, '[data-testid=presence]', 'data-county')) === 'true');
    expect(await text(intakeKiosk, '[data-testid=presence]')).toContain('县纪委监委工作人员（旁听监督）');
    expect(await text(intakeKiosk, '[data-testid=presence]')).toContain('本接待室工作人员');
    await check(intakeKiosk, 'staff-intake-monitored');
    await send(staff, 'session:end', { sessionId: intakeId });
    await intakeKiosk.close();

    expect(problems).toEqual([]);
  }, 400_000);
});
