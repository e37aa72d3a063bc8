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
      const name = (el: Element) =>
        `${el.tagName.toLowerCase()}${el.getAttribute('data-testid') ? `[${el.getAttribute('data-testid')}]` : ''} “${(el.textContent ?? '').trim().slice(0, 16)}”`;
      if (document.documentElement.scrollWidth > vw + 1) problems.push(`page is ${document.documentElement.scrollWidth}px wide in a ${vw}px window`);
      for (const s of document.querySelectorAll('.stage'))
        if (s.scrollHeight > s.clientHeight + 1) problems.push(`stage content is ${s.scrollHeight}px tall in ${s.clientHeight}px`);
      // UX.md: body text at least 28 px. Every line of text on the kiosk, a caption or a staff line included.
      const small = new Set<Element>();
      const texts = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
      for (let n = texts.nextNode(); n; n = texts.nextNode()) {
        const el = n.parentElement;
        if (!el || small.has(el) || !(n.textContent ?? '').trim()) continue;
        const s = getComputedStyle(el);
        const r = el.getBoundingClientRect();
        if (s.display === 'none' || s.visibility === 'hidden' || r.width === 0 || r.height === 0 || el.closest('[aria-hidden=true]')) continue;
        const px = parseFloat(s.fontSize);
        if (px < 28 - 0.5) {
          small.add(el);
          problems.push(`${name(el)} text is ${Math.round(px)}px (body text at least 28px)`);
        }
      }
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

/** What a console screen must keep whole: every control, title, label, alarm and wall tile. */
const CONSOLE_CONTROLS =
  'button, select, input:not([type=hidden]), textarea, h1, h2, h3, label, th, td, .alert, .alert-item, .tab, .tile, .tile-band, .tile-state, .tile-time, .tile-name, .chip, .badge';
/** Short texts that must stay on one line (the offline badge used to wrap into five). */
const ONE_LINE = '.alert, .alert-item, .tab, .tile-state, .tile-time, .tile-name, .chip, label.inline, .queue-room, .row-actions button';

/**
 * Problems with a console screen as laid out now: the page scrolls (it is one screen), a control is cut off
 * by the window or a box that does not scroll, covered by something else, a short text wraps (or wraps one
 * character per line), two controls side by side overlap, a box scrolls sideways, or the wall scrolls. Empty
 * when the screen holds.
 */
export async function consoleLayoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(
    (controls, oneLine) => {
      const problems: string[] = [];
      const vw = window.innerWidth;
      const vh = window.innerHeight;
      const name = (el: Element) =>
        `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}${el.getAttribute('data-testid') ? `[${el.getAttribute('data-testid')}]` : ''} “${(el.textContent ?? '').trim().slice(0, 16)}”`;
      const doc = document.documentElement;
      if (doc.scrollWidth > vw + 1) problems.push(`page is ${doc.scrollWidth}px wide in a ${vw}px window`);
      if (doc.scrollHeight > vh + 1) problems.push(`page is ${doc.scrollHeight}px tall in a ${vh}px window`);
      const scrolls = (v: string) => v === 'auto' || v === 'scroll';
      const clips = (v: string) => v === 'hidden' || v === 'clip';
      for (const el of document.querySelectorAll('body *')) {
        const s = getComputedStyle(el);
        if (el.matches('textarea, input, select, pre') || !scrolls(s.overflowX)) continue;
        if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0)
          problems.push(`${name(el)} scrolls sideways: ${el.scrollWidth}px in ${el.clientWidth}px`);
      }
      // On a landscape screen the top bar is one row: a wrapped bar pushes 退出登录 onto a line of its own.
      const bar = document.querySelector('.topbar');
      if (bar && vw >= 1280 && vw > vh && bar.getBoundingClientRect().height > 60)
        problems.push(`the top bar wraps: ${Math.round(bar.getBoundingClientRect().height)}px tall`);
      for (const t of document.querySelectorAll('.tiles, .wall')) {
        if (t.scrollHeight > t.clientHeight + 1) problems.push(`the wall scrolls: ${t.scrollHeight}px in ${t.clientHeight}px`);
      }
      for (const el of document.querySelectorAll(controls)) {
        const style = getComputedStyle(el);
        const r = el.getBoundingClientRect();
        if (style.display === 'none' || style.visibility === 'hidden' || r.width === 0 || r.height === 0) continue;
        // The visible box: the window, cut by every ancestor that clips; an ancestor that scrolls an axis
        // makes everything on that axis reachable.
        let box = { left: 0, top: 0, right: vw, bottom: vh };
        let reachX = false;
        let reachY = false;
        for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
          const as = getComputedStyle(a);
          const ar = a.getBoundingClientRect();
          if (scrolls(as.overflowX)) reachX = true;
          if (scrolls(as.overflowY)) reachY = true;
          if (clips(as.overflowX) && !reachX) box = { ...box, left: Math.max(box.left, ar.left), right: Math.min(box.right, ar.right) };
          if (clips(as.overflowY) && !reachY) box = { ...box, top: Math.max(box.top, ar.top), bottom: Math.min(box.bottom, ar.bottom) };
        }
        const cutX = !reachX && (r.left < box.left - 1 || r.right > box.right + 1);
        const cutY = !reachY && (r.top < box.top - 1 || r.bottom > box.bottom + 1);
        if (cutX || cutY) {
          problems.push(
            `${name(el)} cut off: ${Math.round(r.left)},${Math.round(r.top)}–${Math.round(r.right)},${Math.round(r.bottom)} in ${Math.round(box.left)},${Math.round(box.top)}–${Math.round(box.right)},${Math.round(box.bottom)}`,
          );
          continue;
        }
        // Lines of its own text: distinct tops of the text's line boxes.
        const text = (el.textContent ?? '').trim();
        if (text.length >= 2 && !el.matches('textarea, input, select')) {
          // Its own text's line boxes (not a nested button's), one line while they overlap vertically.
          const rects: DOMRect[] = [];
          const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            if (
              n.parentElement !== el &&
              n.parentElement?.closest('button, input, select, textarea') &&
              n.parentElement.closest('button, input, select, textarea') !== el
            )
              continue;
            const range = document.createRange();
            range.selectNodeContents(n);
            rects.push(...[...range.getClientRects()].filter((q) => q.width > 0));
          }
          rects.sort((a, b) => a.top - b.top);
          let lines = 0;
          let bottom = -Infinity;
          for (const q of rects) {
            if (q.top >= bottom - 2) lines += 1;
            bottom = Math.max(q.top >= bottom - 2 ? q.bottom : bottom, q.bottom);
          }
          const fontPx = parseFloat(style.fontSize);
          const inlineOnly = [...el.children].every((c) => getComputedStyle(c).display.startsWith('inline'));
          if (el.matches(oneLine) && lines > 1) problems.push(`${name(el)} wraps into ${lines} lines`);
          // Two characters or fewer a line is a column too narrow for its words ("停\n用", "镇街\n干部").
          // Only where the lines are one run of text (a tile's band and name are two blocks, not a wrap).
          else if (lines > 1 && inlineOnly && (text.length / lines <= 2.5 || r.width < 2.5 * fontPx))
            problems.push(`${name(el)} wraps one character per line (${Math.round(r.width)}px wide)`);
        }
        // Covered: only where it can be seen now (a control scrolled out of its box is fine).
        const cx = r.left + r.width / 2;
        const cy = r.top + r.height / 2;
        if (cx < box.left || cx > box.right || cy < box.top || cy > box.bottom || cx >= vw || cy >= vh) continue;
        let inView = true;
        for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
          const as = getComputedStyle(a);
          if (!scrolls(as.overflowX) && !scrolls(as.overflowY) && !clips(as.overflowX) && !clips(as.overflowY)) continue;
          const ar = a.getBoundingClientRect();
          if (cx < ar.left || cx > ar.right || cy < ar.top || cy > ar.bottom) inView = false;
        }
        if (!inView) continue;
        const hit = document.elementFromPoint(cx, cy);
        if (hit && hit !== el && !el.contains(hit) && !hit.contains(el))
          problems.push(`${name(el)} covered at ${Math.round(cx)},${Math.round(cy)} by ${name(hit)}`);
      }
      // Two controls side by side in one box never share area. The centre test above samples one point, so a
      // wall tile's band that had wrapped a line under the room name still passed (接访中 over 线路良好, the badge
      // hidden by 郴梨街道, at 1366×768 beside a session).
      const shown = (el: Element) => {
        const s = getComputedStyle(el);
        const r = el.getBoundingClientRect();
        return s.display !== 'none' && s.visibility !== 'hidden' && s.opacity !== '0' && r.width > 0 && r.height > 0;
      };
      for (const el of document.querySelectorAll(controls)) {
        if (!el.parentElement || !shown(el)) continue;
        const a = el.getBoundingClientRect();
        for (let o = el.nextElementSibling; o; o = o.nextElementSibling) {
          if (!o.matches(controls) || !shown(o)) continue;
          const b = o.getBoundingClientRect();
          const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (w > 1 && h > 1) problems.push(`${name(el)} and ${name(o)} overlap by ${Math.round(w)}×${Math.round(h)}px`);
        }
      }
      return problems;
    },
    CONSOLE_CONTROLS,
    ONE_LINE,
  );
}

/** Lays a console screen out at each size, saves a screenshot of each, and returns every problem found. */
export async function checkConsoleAtAllSizes(
  page: Page,
  screen: string,
  extra?: (size: { width: number; height: number }) => Promise<string[]>,
): Promise<string[]> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const problems: string[] = [];
  for (const size of SCREEN_SIZES) {
    await page.setViewport({ ...size, deviceScaleFactor: 1 });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `console-${screen}-${size.width}x${size.height}.png`) as `${string}.png` });
    for (const p of await consoleLayoutProblems(page)) problems.push(`${screen} at ${size.width}×${size.height}: ${p}`);
    if (extra) for (const p of await extra(size)) problems.push(`${screen} at ${size.width}×${size.height}: ${p}`);
  }
  return problems;
}
