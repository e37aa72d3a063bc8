import { randomBytes } from 'node:crypto';
import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { consoleAndIdleKiosk, openConsole, tileState, waitForScreen } from '../helpers/apps.js';
import { expectMediaFlowing } from '../helpers/browser.js';
import { useServerAndBrowser } from '../helpers/e2e.js';
import { randomIdCard } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/poll.js';

const text = (page: Page, sel: string) => page.$eval(sel, (el) => (el as HTMLElement).innerText).catch(() => '');

describe('confidential records through the real screens', () => {
  const env = useServerAndBrowser();
  const canaryName = `CANARY-${randomBytes(3).toString('hex')}`;
  const canaryId = randomIdCard();

  it('intake during a call puts a receipt on the kiosk; the villager looks the case up; the township sees it without identity; a reveal is audited', async () => {
    const room = 'xingsha';
    const { server, browser } = { server: env.server(), browser: env.browser() };
    const { consolePage: officer, kiosk } = await consoleAndIdleKiosk(browser, server.url, server.demoSecrets().kiosks[room]!, room);
    await kiosk.click('[data-testid=call-button]');
    await waitForScreen(kiosk, 'waiting');
    await officer.bringToFront();
    await waitFor('room calling', async () => (await tileState(officer, room)) === 'calling');
    await officer.click(`[data-testid=answer-${room}]`);
    await expectMediaFlowing(officer, waitFor, 'console');

    // Intake on the console, linked to the live call.
    await officer.type('textarea[name=narrative]', '反映村干部在低保评定中优亲厚友');
    await officer.type('input[name=accused-name-0]', '赵某某');
    await officer.type('input[name=id-name]', canaryName);
    await officer.type('input[name=id-card]', canaryId);
    await officer.type('input[name=id-phone]', '13912345678');
    await officer.click('[data-testid=intake-submit]');
    await officer.waitForSelector('[data-testid=intake-receipt]');
    const code = await text(officer, '[data-testid=receipt-code]');
    const pin = await text(officer, '[data-testid=receipt-pin]');
    expect(code).toMatch(/^\d{10}$/);
    expect(pin).toMatch(/^\d{6}$/);
    expect(await text(officer, '[data-testid=receipt-delivery]')).toContain('已显示在接待室终端');

    // The same receipt appears on the kiosk, in large digits.
    await kiosk.bringToFront();
    await kiosk.waitForSelector('[data-testid=receipt]');
    expect((await text(kiosk, '[data-testid=receipt-code]')).replace(/\s/g, '')).toBe(code);
    expect(await text(kiosk, '[data-testid=receipt-pin]')).toBe(pin);
    await kiosk.click('[data-testid=receipt-done]');
    await kiosk.click('[data-testid=end-button]');
    await waitForScreen(kiosk, 'ended');
    await kiosk.click('[data-testid=home-button]');

    // Later, at the kiosk: the number pad, then the status in plain words.
    await waitForScreen(kiosk, 'idle');
    await kiosk.click('[data-testid=lookup-button]');
    for (const d of code) await kiosk.click(`[data-testid=pad-${d}]`);
    await kiosk.click('[data-testid=pad-next]');
    for (const d of pin) await kiosk.click(`[data-testid=pad-${d}]`);
    await kiosk.click('[data-testid=pad-next]');
    await kiosk.waitForSelector('[data-testid=lookup-status]');
    expect(await text(kiosk, '[data-testid=lookup-status]')).toContain('已经收到');
    expect(await kiosk.content()).not.toContain(canaryName);

    // The county refers it; the township handler sees the case, and nothing of who reported it.
    await officer.bringToFront();
    await officer.click('[data-testid=nav-cases]');
    await officer.waitForSelector(`[data-testid=case-${code}]`);
    await officer.click(`[data-testid=case-${code}]`);
    await officer.waitForSelector('[data-testid=refer-button]');
    await officer.click('[data-testid=refer-button]');
    await waitFor('referred', async () => (await officer.$('[data-testid=refer-button]')) === null);

    const township = await openConsole(browser, server.url, 'xingsha-handler', 'xingsha-handler-demo', '[data-testid=township-cases]');
    await waitFor('case listed for the township', async () => (await text(township, '[data-testid=township-cases]')).includes('赵某某'));
    await township.click('[data-testid=township-cases] tbody tr');
    await township.waitForSelector('.narrative');
    const townshipHtml = await township.content();
    expect(townshipHtml).toContain('优亲厚友');
    for (const secret of [canaryName, canaryId, '13912345678', code, pin]) expect(townshipHtml).not.toContain(secret);

    // A supervisor reveals the identity with a reason, and the audit log shows it.
    const sup = await openConsole(browser, server.url, 'supervisor', 'supervisor-demo');
    await sup.click('[data-testid=nav-cases]');
    await sup.waitForSelector(`[data-testid=case-${code}]`);
    await sup.click(`[data-testid=case-${code}]`);
    await sup.waitForSelector('[data-testid=reveal-button]');
    await sup.click('[data-testid=reveal-button]');
    await sup.type('[data-testid=reveal-reason]', '核实信访人联系方式以便反馈');
    await sup.click('[data-testid=reveal-confirm]');
    await sup.waitForSelector('[data-testid=revealed-identity]');
    expect(await text(sup, '[data-testid=revealed-identity]')).toContain(canaryName);
    await sup.click('.dialog .actions button');
    await sup.click('[data-testid=nav-audit]');
    await waitFor('reveal in the audit view', async () => (await text(sup, '[data-testid=audit-view]')).includes('identity.reveal'));
    await sup.click('.filters button:last-of-type');
    await waitFor('chain verified from the console', async () => (await text(sup, '[data-testid=audit-verify-result]')).includes('审计链完整'));
  });
});
