import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConsole } from '../helpers/apps.js';
import { launchBrowser } from '../helpers/browser.js';
import { englishOnScreen } from '../helpers/english.js';
import { checkConsoleAtAllSizes } from '../helpers/layout.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// 受处分人员信息查询 (issue 17) in Chromium: the 审理室 reviewer finds a disciplined person by pinyin initials and
// opens their page; the screen is Chinese only and holds at the four console sizes.

const press = (page: Page, testId: string) => page.$eval(`[data-testid=${testId}]`, (el) => (el as HTMLElement).click());
const text = (page: Page, sel: string) => page.$eval(sel, (el) => (el as HTMLElement).innerText).catch(() => '');

describe('discipline-records query screen', () => {
  let server: TestServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.cleanup();
    await server?.stop();
  });

  it('the reviewer finds 王建国 by “wjg”, opens the page and sees each record with its 影响期', async () => {
    const page = await openConsole(browser, server.url, 'reviewer1', 'reviewer1-demo', '[data-testid=discipline-query]');
    const nav = await page.$$eval('nav.tabs button', (els) => els.map((e) => (e as HTMLElement).innerText));
    expect(nav).toEqual(['处分查询', '回访教育', '建议书整改']);
    await page.type('[data-testid=discipline-q]', 'wjg');
    await press(page, 'discipline-only');
    await press(page, 'discipline-search');
    // The demo registry's 王建国 of 星沙街道城建办 has two records; his namesake in 榔梨 has none and is filtered out.
    await page.waitForSelector('[data-testid=person-XS-0001]', { timeout: 20_000 });
    expect(await page.$('[data-testid=person-LL-0003]')).toBeNull();
    expect(await text(page, '[data-testid=person-XS-0001]')).toContain('2 条');
    expect(await text(page, '[data-testid=choose-hint]')).toContain('请在左侧选择一名人员');
    await press(page, 'person-XS-0001');
    await page.waitForSelector('[data-testid=person-records]', { timeout: 20_000 });
    expect(await text(page, '[data-testid=person-page] h2')).toContain('王建国');
    // 党内警告 of 2021-06-18: one year, over; 诫勉谈话 is no sanction.
    expect(await text(page, '[data-testid=record-CF-2021-017]')).toContain('已期满（2022-06-17）');
    expect(await text(page, '[data-testid=record-CF-2023-004]')).toContain('非处分');
    expect(await text(page, '[data-testid=person-page]')).toContain('没有反映此人的信访件');
    expect(await englishOnScreen(page)).toEqual([]);
    expect(await checkConsoleAtAllSizes(page, 'discipline-query')).toEqual([]);
    await page.close();
  }, 90_000);
});
