import type { Page } from 'puppeteer-core';

/**
 * Latin words a Chinese screen may show: file formats and encodings (GBK, as Chinese spreadsheet users know it),
 * units, the two shortcut keys. Anything else in Latin
 * letters is English a user should not have to read (issue 14.4). Case-insensitive.
 */
export const ENGLISH_ALLOWED = [
  'CSV',
  'Excel',
  'xlsx',
  'xls',
  'GBK',
  'JPG',
  'PNG',
  'PDF',
  'MP3',
  'MP4',
  'KB',
  'MB',
  'GB',
  'px',
  'fps',
  'kbps',
  'A',
  'E',
] as const;

export interface EnglishWord {
  word: string;
  /** The text around it, to find it on the screen. */
  context: string;
}

/**
 * Every English word a person can see or hear on the page right now: visible text, tooltips, placeholders,
 * labels read by screen readers and the entries of drop-down lists. Text marked `translate="no"` is data a user
 * typed or a machine code (a username, a case code) and is skipped, as is any run with a digit in it (ids, hex
 * hashes, "VP8"). Returns nothing when the screen is all Chinese.
 */
export async function englishOnScreen(page: Page, allowed: readonly string[] = ENGLISH_ALLOWED): Promise<EnglishWord[]> {
  const found = await page.evaluate(() => {
    const texts: string[] = [];
    const skip = (el: Element | null) => Boolean(el?.closest('[translate="no"], script, style, noscript, svg title'));
    const visible = (el: Element) => {
      const s = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0;
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || skip(el) || !(n.textContent ?? '').trim()) continue;
      // <option> text is read from the list below, shown or not (a closed drop-down still offers it).
      if (el.closest('option')) continue;
      if (!visible(el)) continue;
      texts.push(n.textContent!);
    }
    for (const el of document.querySelectorAll('[title], [placeholder], [aria-label], [alt]')) {
      if (skip(el)) continue;
      for (const a of ['title', 'placeholder', 'aria-label', 'alt']) {
        const v = el.getAttribute(a);
        if (v) texts.push(v);
      }
    }
    for (const o of document.querySelectorAll('option')) if (!skip(o)) texts.push(o.textContent ?? '');
    // Inputs with a value the app set (a read-only field) are text too; what a user typed is theirs.
    for (const el of document.querySelectorAll('input[type=button], input[type=submit]')) texts.push((el as HTMLInputElement).value);
    return texts;
  });
  const allow = new Set(allowed.map((w) => w.toLowerCase()));
  const out: EnglishWord[] = [];
  for (const text of found) {
    // Runs of letters, digits and the joiners of codes ("case.refer", "to: referred", "knownUser").
    for (const m of text.matchAll(/[A-Za-z0-9][A-Za-z0-9_.\-/]*/g)) {
      const run = m[0];
      if (/\d/.test(run)) continue;
      for (const word of run.split(/[_.\-/]+/)) {
        if (!word || allow.has(word.toLowerCase())) continue;
        out.push({ word, context: text.slice(Math.max(0, m.index - 12), m.index + run.length + 12).trim() });
      }
    }
  }
  return out;
}
