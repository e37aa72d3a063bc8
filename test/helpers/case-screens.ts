// The case loop through the console's screens: intake during a live call, a case opened from the list, a workflow
// action taken through its form, the township handler's view of a case. Shared by the e2e files that walk it.
import type { Browser, Page } from 'puppeteer-core';
import { expect } from 'vitest';
import { openConsole } from './apps.js';
import { DEMO_PASSWORDS } from './fixtures.js';
import { waitFor } from './poll.js';

/** An element's visible text, or '' while it is not there. */
export const text = (page: Page, sel: string) => page.$eval(sel, (el) => (el as HTMLElement).innerText).catch(() => '');

/** From the cases list (already shown): opens the case with this code and waits for its workflow panel. */
export async function openCase(page: Page, code: string): Promise<void> {
  await page.waitForSelector(`[data-testid=case-${code}]`);
  await page.click(`[data-testid=case-${code}]`);
  await page.waitForSelector('[data-testid=workflow]');
}

/**
 * Takes one workflow action through its form and waits until the case has moved on (the form closes and the
 * handling record changes). `fill` fills the action's own fields (after the text) before it is confirmed.
 */
export async function act(page: Page, action: string, words?: string, fill?: (page: Page) => Promise<void>): Promise<void> {
  await page.bringToFront();
  const before = await text(page, '[data-testid=steps]');
  await page.waitForSelector(`[data-testid=action-${action}]`);
  // Clicked in the page, not at coordinates, and again until the form is open: on a loaded machine the case page can
  // still be laying out (its record and cross-reference arrive separately) when the button is first found.
  await waitFor(
    `${action} form open`,
    async () => {
      if (await page.$('[data-testid=action-form]')) return true;
      await page.$eval(`[data-testid=action-${action}]`, (el) => (el as HTMLElement).click()).catch(() => undefined);
      return (await page.waitForSelector('[data-testid=action-form]', { timeout: 2_000 }).catch(() => null)) !== null;
    },
    { timeoutMs: 30_000 },
  );
  if (words) await page.type('[data-testid=action-text]', words);
  if (fill) await fill(page);
  await page.click('[data-testid=action-confirm]');
  await waitFor(`${action} recorded`, async () => (await page.$('[data-testid=action-form]')) === null && (await text(page, '[data-testid=steps]')) !== before);
}

/**
 * Sets a controlled `<input type=date>` to `day` ("YYYY-MM-DD") the way a pick in the calendar does: typing into a date
 * field follows the browser's locale order, so the value is set and the input event React listens to is sent.
 */
export async function setDate(page: Page, sel: string, day: string): Promise<void> {
  await page.$eval(
    sel,
    (el, value) => {
      const input = el as HTMLInputElement;
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, value);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    },
    day,
  );
  await waitFor(`date field ${sel} holds ${day}`, async () => (await page.$eval(sel, (el) => (el as HTMLInputElement).value)) === day);
}

export interface NamedIntake {
  narrative: string;
  accused: string;
  name: string;
  idCard: string;
  phone: string;
}

/**
 * On a console in a call: the intake form filled as a named 检举控告 against a village cadre (who may be 交办 to the
 * township, 分级负责), filed; returns the receipt's case code and PIN as the console shows them.
 */
export async function fileNamedAccusation(officer: Page, m: NamedIntake): Promise<{ code: string; pin: string }> {
  await officer.select('[data-testid=intake-class]', 'accusation');
  await officer.type('textarea[name=narrative]', m.narrative);
  await officer.type('input[name=accused-name-0]', m.accused);
  await officer.select('select[name=accused-level-0]', 'village_cadre');
  await officer.type('input[name=id-name]', m.name);
  await officer.type('input[name=id-card]', m.idCard);
  await officer.type('input[name=id-phone]', m.phone);
  await officer.click('[data-testid=intake-submit]');
  await officer.waitForSelector('[data-testid=intake-receipt]');
  const code = await text(officer, '[data-testid=receipt-code]');
  const pin = await text(officer, '[data-testid=receipt-pin]');
  expect(code).toMatch(/^\d{10}$/);
  expect(pin).toMatch(/^\d{6}$/);
  expect(await text(officer, '[data-testid=receipt-delivery]')).toContain('已显示在接待室终端');
  return { code, pin };
}

/**
 * The township handler's console. `show()` reloads it, opens the (only) case that lists `accused`, checks the page holds
 * `mustShow` and none of `secrets`, neither in its HTML, nor in its visible text, nor in any API answer it has read
 * so far, and leaves the case open.
 */
export async function townshipConsole(
  browser: Browser,
  url: string,
  username: string,
  accused: string,
  mustShow: string,
  secrets: string[],
): Promise<{ page: Page; show: () => Promise<void> }> {
  const page = await openConsole(browser, url, username, DEMO_PASSWORDS[username]!, '[data-testid=township-cases]');
  const answers: string[] = [];
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/'))
      void r.text().then(
        (b) => answers.push(b),
        () => undefined,
      );
  });
  const show = async () => {
    await page.bringToFront();
    await page.reload();
    await page.waitForSelector('[data-testid=township-cases]');
    await waitFor('case listed for the township', async () => (await text(page, '[data-testid=township-cases]')).includes(accused));
    await page.click('[data-testid=township-cases] tbody tr');
    await page.waitForSelector('[data-testid=workflow]');
    const html = await page.content();
    const seen = await page.evaluate(() => document.body.innerText);
    expect(html).toContain(mustShow);
    for (const secret of secrets) {
      expect(html).not.toContain(secret);
      expect(seen).not.toContain(secret);
      expect(answers.filter((a) => a.includes(secret))).toEqual([]);
    }
  };
  return { page, show };
}
