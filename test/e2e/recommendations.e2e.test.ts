import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDay } from '@vj/shared';
import { openConsole, press } from '../helpers/apps.js';
import { launchBrowser } from '../helpers/browser.js';
import { setDate, text } from '../helpers/case-screens.js';
import { englishOnScreen } from '../helpers/english.js';
import { checkConsoleAtAllSizes } from '../helpers/layout.js';
import { waitFor } from '../helpers/poll.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// 建议书 → 整改 → 回头看 (issue 17) in Chromium: 党风政风监督室 records a letter whose deadline has already passed, sees
// it on the 督办 board, files the unit's 整改报告, accepts it with a 回头看 date, and sees it leave the board; the screen
// is Chinese only and holds at the four console sizes. The 审理室 reads the same letter without any step to take.

const shift = (days: number) => new Date(Date.parse(`${localDay()}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe('建议书整改 screen', () => {
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

  it('records a letter, sees it overdue on the 督办 board, files and accepts the report, and the board empties', async () => {
    const page = await openConsole(browser, server.url, 'conduct1', 'conduct1-demo', '[data-testid=discipline-query]');
    await press(page, 'nav-letters');
    await page.waitForSelector('[data-testid=letters] .empty', { timeout: 20_000 });
    expect(await text(page, '[data-testid=letters]')).toContain('没有符合条件的建议书');
    await press(page, 'letters-mode-board');
    await waitFor('empty board', async () => (await text(page, '[data-testid=letters]')).includes('没有超期的建议书'));

    await press(page, 'letter-new');
    await page.waitForSelector('[data-testid=letter-form]');
    await page.type('[data-testid=letter-doc]', '长县纪建〔2026〕7号');
    await page.type('[data-testid=letter-unit]', '城建办');
    await page.waitForSelector('[data-testid=unit-XS-CJB]', { timeout: 20_000 });
    await press(page, 'unit-XS-CJB');
    await setDate(page, '[data-testid=letter-issued]', shift(-30));
    await setDate(page, '[data-testid=letter-deadline]', shift(-3));
    await page.type('[data-testid=letter-problems]', '工程项目验收把关不严，违规收受管理服务对象礼金。');
    await page.type('[data-testid=letter-requests]', '开展警示教育，健全工程验收制度，书面报告整改情况。');
    await page.type('[data-testid=letter-records]', 'CF-2021-017');
    expect(await englishOnScreen(page)).toEqual([]);
    expect(await checkConsoleAtAllSizes(page, 'letter-form')).toEqual([]);
    await page.setViewport({ width: 1366, height: 768 });
    await press(page, 'letter-submit');

    // The new letter's page: issued, linked to 王建国's record, already 3 days late.
    await page.waitForSelector('[data-testid=letter-page]', { timeout: 20_000 });
    expect(await text(page, '[data-testid=letter-page] h2')).toContain('长县纪建〔2026〕7号');
    expect(await text(page, '[data-testid=letter-links]')).toContain('王建国');
    expect(await text(page, '[data-testid=letter-page-state]')).toContain('超期 3 天');
    await waitFor('on the board', async () => (await text(page, '[data-testid=letters-board]')).includes('逾期未报送整改报告'));
    expect(await englishOnScreen(page)).toEqual([]);
    expect(await checkConsoleAtAllSizes(page, 'letters-board')).toEqual([]);
    await page.setViewport({ width: 1366, height: 768 });

    // A step out of order is not offered; a bad one is refused in Chinese and changes nothing.
    await page.type('[data-testid=report-summary]', '短');
    await press(page, 'report-submit');
    await waitFor('refusal shown', async () => (await text(page, '[data-testid=letter-action-error]')).includes('整改报告摘要'));
    await page.type('[data-testid=report-summary]', '已召开专题会议，制定整改清单并逐项落实');
    await press(page, 'report-submit');
    await page.waitForSelector('[data-testid=accept-submit]', { timeout: 20_000 });
    expect(await text(page, '[data-testid=letter-timeline]')).toContain('收到整改报告');
    await setDate(page, '[data-testid=accept-review-on]', shift(60));
    await press(page, 'accept-submit');
    await page.waitForSelector('[data-testid=review-submit]', { timeout: 20_000 });
    expect(await text(page, '[data-testid=letter-timeline]')).toContain('整改报告评估通过');
    expect(await text(page, '[data-testid=letter-page-state]')).toContain('待“回头看”');
    await waitFor('off the board', async () => (await text(page, '[data-testid=letters]')).includes('没有超期的建议书'));
    await press(page, 'letters-mode-list');
    await waitFor('in the list', async () => (await text(page, '[data-testid=letters-list]')).includes('待“回头看”'));
    expect(await checkConsoleAtAllSizes(page, 'letters')).toEqual([]);
    await page.close();

    // The 审理室 reads it, with no step to take.
    const reviewer = await openConsole(browser, server.url, 'reviewer1', 'reviewer1-demo', '[data-testid=discipline-query]');
    await press(reviewer, 'nav-letters');
    await reviewer.waitForSelector('[data-testid=letters-list] tbody tr', { timeout: 20_000 });
    expect(await reviewer.$('[data-testid=letter-new]')).toBeNull();
    await reviewer.$eval('[data-testid=letters-list] tbody tr', (el) => (el as HTMLElement).click());
    await reviewer.waitForSelector('[data-testid=letter-page]', { timeout: 20_000 });
    expect(await text(reviewer, '[data-testid=letter-page]')).toContain('本岗位只能查看');
    expect(await reviewer.$('[data-testid=review-submit]')).toBeNull();
    expect(await englishOnScreen(reviewer)).toEqual([]);
    await reviewer.close();
  }, 180_000);
});
