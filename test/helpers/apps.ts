import type { Browser, Page } from 'puppeteer-core';
import { framesRising, newInstrumentedPage } from './browser.js';
import { waitFor } from './poll.js';

export async function openKiosk(browser: Browser, baseUrl: string, credential: string): Promise<Page> {
  const page = await newInstrumentedPage(browser);
  await page.goto(`${baseUrl}/kiosk/#device=${credential}`);
  return page;
}

export async function openConsole(browser: Browser, baseUrl: string, username: string, password: string, ready = '[data-testid^=tile-]'): Promise<Page> {
  const page = await newInstrumentedPage(browser);
  await page.goto(`${baseUrl}/console/`);
  await page.waitForSelector('input[name=username]');
  await page.type('input[name=username]', username);
  await page.type('input[name=password]', password);
  await page.click('[data-testid=login-button]');
  await page.waitForSelector(ready);
  return page;
}

/** Clicks the element with this test id (in the page, so an element under another one is clicked all the same). */
export const press = (page: Page, testId: string) => page.$eval(`[data-testid=${testId}]`, (el) => (el as HTMLElement).click());

export async function screenOf(page: Page): Promise<string | null> {
  return page.$eval('.kiosk', (el) => el.getAttribute('data-screen')).catch(() => null);
}

export async function waitForScreen(page: Page, screen: string, timeoutMs = 15_000): Promise<void> {
  await waitFor(`kiosk screen ${screen}`, async () => (await screenOf(page)) === screen, { timeoutMs });
}

export async function tileState(page: Page, room: string): Promise<string | null> {
  return page.$eval(`[data-testid=tile-${room}]`, (el) => el.getAttribute('data-state')).catch(() => null);
}

/** A console page and a kiosk page, the kiosk idle and already seen online on the console. */
export async function consoleAndIdleKiosk(browser: Browser, baseUrl: string, credential: string, room: string): Promise<{ consolePage: Page; kiosk: Page }> {
  const consolePage = await openConsole(browser, baseUrl, 'officer1', 'officer1-demo');
  const kiosk = await openKiosk(browser, baseUrl, credential);
  await waitForScreen(kiosk, 'idle');
  await waitFor('console shows the kiosk online', async () => (await tileState(consolePage, room)) === 'online');
  return { consolePage, kiosk };
}

/** The villager presses call and the officer answers it from the wall. */
export async function callAndAnswer(kiosk: Page, consolePage: Page, room: string): Promise<void> {
  await kiosk.click('[data-testid=call-button]');
  await waitForScreen(kiosk, 'waiting');
  // In --headless=new only the front tab is "visible"; the console must be it to render the answer button.
  await consolePage.bringToFront();
  await waitFor('room calling', async () => (await tileState(consolePage, room)) === 'calling');
  await pressAnswer(consolePage, room);
}

/** The officer presses 接听 for `room` in the queue. */
export async function pressAnswer(consolePage: Page, room: string): Promise<void> {
  // Pressed on the element, not at where it was a moment ago: a line that appears above the queue (an alert on a
  // loaded machine) moves the buttons between puppeteer's measuring and its click, which then lands on another
  // room's button or on nothing. Waited for enabled first, as an officer would.
  const answer = `[data-testid=answer-${room}]`;
  await waitFor('answer button ready', () => consolePage.$eval(answer, (b) => !(b as HTMLButtonElement).disabled).catch(() => false));
  await consolePage.$eval(answer, (b) => (b as HTMLButtonElement).click());
}

/** Whether the wall on `page` holds a video for `room`'s tile. */
export const hasTileVideo = async (page: Page, room: string) => (await page.$(`[data-testid=tile-video-${room}]`)) !== null;

/**
 * Two rooms call: `ringing` keeps calling (the wall keeps a tile to show) and `answered` is answered by `consolePage`;
 * resolves once the console decodes the answered kiosk's video.
 */
export async function oneAnsweredOneRinging(ringing: Page, answered: Page, consolePage: Page, room: string): Promise<void> {
  await ringing.bringToFront();
  await ringing.click('[data-testid=call-button]');
  await waitForScreen(ringing, 'waiting');
  await answered.bringToFront();
  await callAndAnswer(answered, consolePage, room);
  await answered.bringToFront();
  await waitForScreen(answered, 'in_call', 45_000).catch(async (err: Error) => {
    // What the officer saw: a refused or timed-out answer shows a notice on the console.
    const notice = await consolePage.$eval('[data-testid=notice]', (el) => el.textContent).catch(() => null);
    throw new Error(`${err.message}; console notice: ${notice ?? 'none'}; tile ${room}: ${await tileState(consolePage, room)}`);
  });
  await consolePage.bringToFront();
  await framesRising(consolePage, 'remote-video', waitFor);
}

/** A kiosk opened at `kioskUrl` calls and `consolePage` answers; returns the kiosk once the console decodes it. */
export async function kioskCallsConsole(browser: Browser, kioskUrl: string, credential: string, consolePage: Page, room: string): Promise<Page> {
  const kiosk = await openKiosk(browser, kioskUrl, credential);
  await waitForScreen(kiosk, 'idle');
  await waitFor('console shows the kiosk online', async () => (await tileState(consolePage, room)) === 'online');
  await callAndAnswer(kiosk, consolePage, room);
  // A real kiosk is a screen of its own, always in front: headless Chromium may hold back a background tab.
  await kiosk.bringToFront();
  await waitForScreen(kiosk, 'in_call', 45_000);
  await consolePage.bringToFront();
  await framesRising(consolePage, 'remote-video', waitFor);
  return kiosk;
}

/** From the kiosk's idle screen: the number pad, the case code, then the PIN. */
export async function lookUpReceipt(kiosk: Page, code: string, pin: string): Promise<void> {
  await kiosk.click('[data-testid=lookup-button]');
  for (const d of code) await kiosk.click(`[data-testid=pad-${d}]`);
  await kiosk.click('[data-testid=pad-next]');
  for (const d of pin) await kiosk.click(`[data-testid=pad-${d}]`);
  await kiosk.click('[data-testid=pad-next]');
}

/** From now on, every blob the page hands to the browser as a download is kept for `firstDownload` to read. */
export const keepDownloads = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { __blobs: Blob[] };
    w.__blobs = [];
    const make = URL.createObjectURL.bind(URL);
    URL.createObjectURL = (b: Blob | MediaSource) => (b instanceof Blob && w.__blobs.push(b), make(b));
  });

/** The bytes of the first download kept since `keepDownloads`, or undefined while there is none (for waitFor). */
export const firstDownload = (page: Page) =>
  page.evaluate(async () => {
    const b = (window as unknown as { __blobs: Blob[] }).__blobs[0];
    return b ? Array.from(new Uint8Array(await b.arrayBuffer())) : undefined;
  });
