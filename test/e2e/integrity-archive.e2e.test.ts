import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { localDay } from '@vj/shared';
import { openConsole, press } from '../helpers/apps.js';
import { useServerAndBrowser } from '../helpers/e2e.js';
import { englishOnScreen } from '../helpers/english.js';
import { checkConsoleAtAllSizes } from '../helpers/layout.js';
import { waitFor } from '../helpers/poll.js';

// 清廉档案 (issue 17) in Chromium: the 第一片区 leader opens 王建国 (a key official), enters this month's six dimensions
// with a 较差 assessment and overdue rectification, sees the warnings raised and the portrait change, closes one with a
// 提醒, and signs the month off; the warnings screen lists what is left. Chinese only, at the four console sizes.

const text = (page: Page, sel: string) => page.$eval(sel, (el) => (el as HTMLElement).innerText).catch(() => '');
const typeInto = async (page: Page, testId: string, value: string) => {
  await page.$eval(`[data-testid=${testId}]`, (el) => ((el as HTMLTextAreaElement).value = ''));
  await page.type(`[data-testid=${testId}]`, value);
};

describe('integrity archive screens', () => {
  const env = useServerAndBrowser();

  it('enter a month, see the warnings raised, close one with a 提醒, sign the month off', async () => {
    const month = localDay().slice(0, 7);
    const page = await openConsole(env.browser(), env.server().url, 'district1-leader', 'district1-leader-demo', '[data-testid=discipline-query]');
    const nav = await page.$$eval('nav.tabs button', (els) => els.map((e) => (e as HTMLElement).innerText));
    expect(nav).toEqual(['处分查询', '廉政预警', '建议书整改']);
    await page.type('[data-testid=discipline-q]', 'wjg');
    await press(page, 'discipline-search');
    await page.waitForSelector('[data-testid=person-XS-0001]', { timeout: 20_000 });
    await press(page, 'person-XS-0001');
    await page.waitForSelector('[data-testid=archive-form]', { timeout: 20_000 });
    expect(await text(page, '[data-testid=archive-portrait]')).toBe(
      '王建国，正科级干部，受党纪政务处分 1 次（已过影响期），受组织处理 1 次，所在党组织暂无审计巡察问题记录。',
    );

    // Saving with a dimension left empty is refused in the server's words, and nothing is saved.
    await press(page, 'archive-save');
    await waitFor('the refusal', async () => (await text(page, '[data-testid=archive-form-error]')) || undefined);
    expect(await text(page, '[data-testid=archive-form-error]')).toContain('请填写');
    expect(await page.$('[data-testid=archive-months]')).toBeNull();

    await typeInto(page, 'archive-dim-property', '星沙街道住房一套（120平方米）');
    await typeInto(page, 'archive-dim-vehicles', '小型轿车一辆');
    await typeInto(page, 'archive-dim-family', '儿子在长沙市某银行工作');
    await typeInto(page, 'archive-dim-partyGovernance', '按时召开专题民主生活会');
    await typeInto(page, 'archive-dim-duty', '城建项目按期推进');
    await typeInto(page, 'archive-dim-spirit', '工作状态一般，有畏难情绪');
    await typeInto(page, 'archive-dim-integrity', '未发现违反中央八项规定精神问题');
    await typeInto(page, 'archive-dim-findings', '巡察反馈问题三项，两项超期未整改');
    await typeInto(page, 'archive-findings-open', '3');
    await typeInto(page, 'archive-findings-overdue', '2');
    await page.select('[data-testid=archive-assessment]', 'poor');
    await press(page, 'archive-save');
    await page.waitForSelector(`[data-testid=archive-month-${month}]`, { timeout: 20_000 });
    expect(await text(page, `[data-testid=archive-month-${month}]`)).toContain('较差');
    await page.waitForSelector('[data-testid=archive-warning-poor_assessment]');
    await page.waitForSelector('[data-testid=archive-warning-findings_overdue]');
    expect(await text(page, '[data-testid=archive-portrait]')).toContain(
      '所在党组织有 3 项审计巡察问题正在整改（其中 2 项超期），有 2 条苗头性问题预警待处置。',
    );

    await page.$eval('[data-testid=archive-warning-poor_assessment] [data-testid=archive-warning-close]', (el) => (el as HTMLElement).click());
    await page.waitForSelector('[data-testid=archive-warning-note]');
    await page.type('[data-testid=archive-warning-note]', '已约谈提醒，本人表示改进工作作风。');
    await press(page, 'archive-warning-submit');
    await waitFor('the warning closed', async () =>
      (await text(page, '[data-testid=archive-warning-poor_assessment]')).includes('已提醒') ? true : undefined,
    );
    expect(await text(page, '[data-testid=archive-warning-poor_assessment]')).toContain('已约谈提醒');
    expect(await text(page, '[data-testid=archive-portrait]')).toContain('有 1 条苗头性问题预警待处置');

    page.once('dialog', (d) => void d.accept());
    await press(page, `archive-sign-${month}`);
    await waitFor('the month signed', async () =>
      (await text(page, `[data-testid=archive-month-${month}] [data-testid=archive-signed]`)).includes('第一片区督查组 组长') ? true : undefined,
    );
    // Signed: the month's form is gone, it is fixed.
    expect(await page.$('[data-testid=archive-form]')).toBeNull();
    expect(await englishOnScreen(page)).toEqual([]);
    expect(await checkConsoleAtAllSizes(page, 'archive-profile')).toEqual([]);

    // The warnings screen: the one left open, with the person beside it.
    await page.setViewport({ width: 1366, height: 768, deviceScaleFactor: 1 });
    await page.$$eval('nav.tabs button', (els) => (els.find((e) => (e as HTMLElement).innerText === '廉政预警') as HTMLElement).click());
    await page.waitForSelector('[data-testid=warnings-list] tbody tr', { timeout: 20_000 });
    const rows = await page.$$eval('[data-testid=warnings-list] tbody tr', (els) => els.map((e) => (e as HTMLElement).innerText));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('所在单位巡察审计问题整改超期');
    await page.$eval('[data-testid=warnings-list] tbody tr', (el) => (el as HTMLElement).click());
    await page.waitForSelector('[data-testid=warning-person] [data-testid=archive-portrait]', { timeout: 20_000 });
    expect(await englishOnScreen(page)).toEqual([]);
    expect(await checkConsoleAtAllSizes(page, 'archive-warnings')).toEqual([]);
    await page.close();
  }, 120_000);
});
