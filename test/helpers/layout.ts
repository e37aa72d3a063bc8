import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { REPO } from './server.js';

/** The screen sizes a kiosk or console must hold: two laptops, full HD, and a portrait totem. */
export const SCREEN_SIZES = [
  { width: 1280, height: 800 },
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
  { width: 1080, height: 1920 },
] as const;

/** Left behind by `npm test` for a person to look at (git-ignored). */
export const SCREENSHOT_DIR = path.join(REPO, 'test-artifacts', 'screenshots');

/** Controls and text that must be whole and on top: every button, title, and the lines a villager reads. */
const MAIN = 'button, h1, h2, .lead, .queue, .presence, .notice, .banner-private, .banner-monitoring, .receipt-digits, .pad-display, .status-words';

/**
 * Problems with the screen as laid out now: a main control or title outside the viewport (clipped), covered
 * by another element at its centre or corners (overlapped), or a page that scrolls sideways or hides part of
 * the stage below the fold. Empty when the screen holds.
 */
export async function layoutProblems(page: Page, root = '.kiosk'): Promise<string[]> {
  return page.evaluate(
    (rootSel, sel) => {
      const problems: string[] = [];
      const vw = window.innerWidth;
      const vh = window.innerHeight;
      const scope = document.querySelector(rootSel) ?? document.body;
      const name = (el: Element) => `${el.tagName.toLowerCase()}${el.getAttribute('data-testid') ? `[${el.getAttribute('data-testid')}]` : ''} “${(el.textContent ?? '').trim().slice(0, 16)}”`;
      if (document.documentElement.scrollWidth > vw + 1) problems.push(`page is ${document.documentElement.scrollWidth}px wide in a ${vw}px window`);
      for (const s of document.querySelectorAll('.stage')) if (s.scrollHeight > s.clientHeight + 1) problems.push(`stage content is ${s.scrollHeight}px tall in ${s.clientHeight}px`);
      for (const el of scope.querySelectorAll(sel)) {
        const style = getComputedStyle(el);
        const r = el.getBoundingClientRect();
        if (style.display === 'none' || style.visibility === 'hidden' || r.width === 0 || r.height === 0) continue;
        if (r.left < -1 || r.top < -1 || r.right > vw + 1 || r.bottom > vh + 1) {
          problems.push(`${name(el)} clipped: ${Math.round(r.left)},${Math.round(r.top)}–${Math.round(r.right)},${Math.round(r.bottom)} in ${vw}×${vh}`);
          continue;
        }
        const inset = Math.min(6, r.width / 4, r.height / 4);
        const points = [
          [r.left + r.width / 2, r.top + r.height / 2],
          [r.left + inset, r.top + inset],
          [r.right - inset, r.top + inset],
          [r.left + inset, r.bottom - inset],
          [r.right - inset, r.bottom - inset],
        ] as const;
        for (const [x, y] of points) {
          const hit = document.elementFromPoint(x, y);
          if (hit && hit !== el && !el.contains(hit) && !hit.contains(el)) {
            problems.push(`${name(el)} covered at ${Math.round(x)},${Math.round(y)} by ${name(hit)}`);
            break;
          }
        }
      }
      return problems;
    },
    root,
    MAIN,
  );
}

/** Lays the current screen out at each size, saves a screenshot of each, and returns every problem found. */
export async function checkScreenAtAllSizes(page: Page, app: string, screen: string, root?: string): Promise<string[]> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const problems: string[] = [];
  for (const size of SCREEN_SIZES) {
    await page.setViewport({ ...size, deviceScaleFactor: 1 });
    // Two frames: the resize has been laid out and painted.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${app}-${screen}-${size.width}x${size.height}.png`) as `${string}.png` });
    for (const p of await layoutProblems(page, root)) problems.push(`${screen} at ${size.width}×${size.height}: ${p}`);
  }
  return problems;
}
