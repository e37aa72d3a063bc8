import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { lookUpReceipt, openConsole, waitForScreen } from '../helpers/apps.js';
import { audioLog, expectSpoken, installAudioProbe, overlappingClips } from '../helpers/audio-probe.js';
import { newInstrumentedPage } from '../helpers/browser.js';
import { api } from '../helpers/api.js';
import { useServerAndBrowser } from '../helpers/e2e.js';
import { DEMO_PASSWORDS, loginAll, petitionBody, randomIdCard, transition } from '../helpers/fixtures.js';
import { layoutProblems, SCREENSHOT_DIR } from '../helpers/layout.js';
import { waitFor } from '../helpers/poll.js';

const text = (page: Page, sel: string) => page.$eval(sel, (el) => (el as HTMLElement).innerText).catch(() => '');
/** The two kiosk screens the issue names: the common landscape panel and the portrait totem. */
const SIZES = [
  { width: 1280, height: 800 },
  { width: 1080, height: 1920 },
] as const;

/** Lays the kiosk's current screen out at both sizes, saves a screenshot of each, and returns what does not fit. */
async function kioskAtBothSizes(page: Page, screen: string): Promise<string[]> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const problems: string[] = [];
  for (const size of SIZES) {
    await page.setViewport({ ...size, deviceScaleFactor: 1 });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `kiosk-${screen}-${size.width}x${size.height}.png`) as `${string}.png` });
    for (const p of await layoutProblems(page)) problems.push(`${screen} at ${size.width}×${size.height}: ${p}`);
  }
  await page.setViewport({ width: 1280, height: 800, deviceScaleFactor: 1 });
  return problems;
}

describe('satisfaction: a villager rates a concluded matter at the kiosk and the county follows it up', () => {
  const env = useServerAndBrowser();

  it('a named accusation 交办 to a township, concluded and fed back → the kiosk rates it 不满意 with a reason → the supervisor sees and closes the follow-up task; ratings in the statistics', async () => {
    const url = env.server().url;
    const logins = await loginAll(url, ['officer1', 'supervisor', 'xingsha-handler']);
    const officer = logins['officer1']!.accessToken;
    const supervisor = logins['supervisor']!.accessToken;
    const handler = logins['xingsha-handler']!.accessToken;

    // The matter's way to its conclusion, through the API: case-path.e2e walks that part through its screens; this
    // file is about the kiosk's rating screens (their layout at both sizes, their speech) and the follow-up task.
    const body = petitionBody('xingsha', { name: '钱某', idCard: randomIdCard(), phone: '', address: '', village: '' }, { matterClass: 'accusation' });
    const submitted = await api<{ caseCode: string; pin: string }>(url, 'POST', '/api/petitions', { token: officer, body });
    expect(submitted.status).toBe(200);
    const { caseCode, pin } = submitted.body;
    const step = async (token: string, b: Record<string, unknown>, township = false) =>
      expect((await transition(url, token, body.id, { stepId: randomUUID(), ...b }, township)).status).toBe(200);
    await step(officer, { action: 'refer', handlerId: null });
    await step(handler, { action: 'township_accept' }, true);
    await step(handler, { action: 'report', text: '经核查，反映问题部分属实，已督促整改' }, true);
    await step(supervisor, { action: 'approve', feedback: '您反映的问题部分属实，已责令整改并处理相关人员。' });

    // Chromium here has no speech voice: whatever is heard comes from the shipped clips.
    const kiosk = await newInstrumentedPage(env.browser());
    await installAudioProbe(kiosk);
    await kiosk.goto(`${url}/kiosk/#device=${env.server().demoSecrets().kiosks['xingsha']!}`);
    await kiosk.setViewport({ width: 1280, height: 800, deviceScaleFactor: 1 });
    await waitForScreen(kiosk, 'idle');
    // Concluded, but the named accuser has not been given the result yet: nothing to rate.
    await lookUpReceipt(kiosk, caseCode, pin);
    await kiosk.waitForSelector('[data-testid=lookup-feedback]');
    expect(await kiosk.$('[data-testid=rate-open]')).toBeNull();
    await kiosk.click('[data-testid=lookup-back]');
    await waitForScreen(kiosk, 'idle');

    await step(officer, { action: 'notify_result', via: 'phone', text: '经查部分属实，已责令整改，特此告知。' });
    await lookUpReceipt(kiosk, caseCode, pin);
    await kiosk.waitForSelector('[data-testid=rate-open]');
    const problems = await kioskAtBothSizes(kiosk, 'lookup-rate-open');

    // Every rating screen is spoken: the three choices by colour, the reasons, the thanks.
    await expectSpoken(kiosk, 'the rating choices', () => kiosk.click('[data-testid=rate-open]'), 1500);
    await kiosk.waitForSelector('[data-testid=rate-choose]');
    problems.push(...(await kioskAtBothSizes(kiosk, 'rate-choose')));
    // Each button is far above the kiosk's 120 px minimum.
    const heights = await kiosk.$$eval('.rate-btn', (bs) => bs.map((b) => b.getBoundingClientRect().height));
    expect(heights).toHaveLength(3);
    expect(Math.min(...heights)).toBeGreaterThanOrEqual(200);

    await expectSpoken(kiosk, 'the reasons', () => kiosk.click('[data-testid=rate-unsatisfied]'), 1500);
    await kiosk.waitForSelector('[data-testid=rate-reason]');
    problems.push(...(await kioskAtBothSizes(kiosk, 'rate-reason')));
    await expectSpoken(kiosk, 'the thanks', () => kiosk.click('[data-testid=rate-reason-unresolved]'), 1000);
    await kiosk.waitForSelector('[data-testid=rate-done]');
    expect(overlappingClips(await audioLog(kiosk))).toBe(0);
    expect(await text(kiosk, '[data-testid=rate-done]')).toContain('谢谢您的评价');
    expect(await text(kiosk, '[data-testid=rate-done]')).toContain('回访复核');
    problems.push(...(await kioskAtBothSizes(kiosk, 'rate-done')));
    expect(problems).toEqual([]);

    // Looked up again (from any kiosk): the rating shows, and is not offered twice.
    await kiosk.click('[data-testid=rate-home]');
    await waitForScreen(kiosk, 'idle');
    await lookUpReceipt(kiosk, caseCode, pin);
    await kiosk.waitForSelector('[data-testid=lookup-rated]');
    expect(await text(kiosk, '[data-testid=lookup-rated]')).toContain('不满意');
    expect(await kiosk.$('[data-testid=rate-open]')).toBeNull();

    // The supervisor's deadline board lists the follow-up task with the reason, and the statistics count the rating.
    const sup = await openConsole(env.browser(), url, 'supervisor', DEMO_PASSWORDS['supervisor']!);
    await sup.click('[data-testid=nav-dashboard]');
    await sup.waitForSelector(`[data-testid=follow-up-${caseCode}]`);
    const row = await text(sup, `[data-testid=follow-up-${caseCode}]`);
    expect(row).toContain('不满意');
    expect(row).toContain('没有解决问题');
    await waitFor('rating counted for the township', async () => (await text(sup, '[data-testid=rating-xingsha]')).replace(/\s+/g, ' ').includes('0 0 1 1 0%'));
    await sup.screenshot({ path: path.join(SCREENSHOT_DIR, 'console-follow-ups.png') as `${string}.png` });

    await sup.click(`[data-testid=follow-up-close-${caseCode}]`);
    await sup.type('[data-testid=follow-up-note]', '已电话回访检举人，说明了处理依据，复核维持原处理。');
    await sup.click('[data-testid=follow-up-save]');
    await waitFor('task closed and off the list', async () => (await sup.$(`[data-testid=follow-up-${caseCode}]`)) === null);
    const audit = await api<{ items: { action: string }[] }>(url, 'GET', '/api/audit?action=follow_up.close', { token: supervisor });
    expect(audit.status).toBe(200);
    expect(JSON.stringify(audit.body)).toContain('follow_up.close');
  });
});
