import type { Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { localDay } from '@vj/shared';
import { api, loginToken } from '../helpers/api.js';
import { openConsole, press } from '../helpers/apps.js';
import { useServerAndBrowser } from '../helpers/e2e.js';
import { englishOnScreen } from '../helpers/english.js';
import { checkConsoleAtAllSizes } from '../helpers/layout.js';
import { waitFor } from '../helpers/poll.js';

// 清廉档案 and 廉政意见回复 (issue 17) in Chromium. A 第一片区 member opens 王建国 (a key official), enters this month's
// six dimensions with a 较差 assessment and overdue rectification, sees the warnings raised and the portrait change,
// and closes one with a 提醒; the leader signs the month off and sees what is left on the warnings screen. Then
// 党风政风监督室 records an opinion request for three candidates (one with a sanction still in its 影响期: 不同意), and
// the commission leader signs the reply. Chinese only, at the four console sizes.

const text = (page: Page, sel: string) => page.$eval(sel, (el) => (el as HTMLElement).innerText).catch(() => '');
const typeInto = async (page: Page, testId: string, value: string) => {
  await page.$eval(`[data-testid=${testId}]`, (el) => ((el as HTMLTextAreaElement).value = ''));
  await page.type(`[data-testid=${testId}]`, value);
};

describe('integrity archive screens', () => {
  const env = useServerAndBrowser();

  it('enter a month, see the warnings raised, close one with a 提醒, sign the month off', async () => {
    const month = localDay().slice(0, 7);
    const openPerson = async (who: string) => {
      const p = await openConsole(env.browser(), env.server().url, who, `${who}-demo`, '[data-testid=discipline-query]');
      await p.type('[data-testid=discipline-q]', 'wjg');
      await press(p, 'discipline-search');
      await p.waitForSelector('[data-testid=person-XS-0001]', { timeout: 20_000 });
      await press(p, 'person-XS-0001');
      await p.waitForSelector('[data-testid=archive-portrait]', { timeout: 20_000 });
      return p;
    };
    const page = await openPerson('district1-inspector');
    const nav = await page.$$eval('nav.tabs button', (els) => els.map((e) => (e as HTMLElement).innerText));
    expect(nav).toEqual(['处分查询', '廉政预警', '政治生态', '回访教育', '建议书整改']);
    await page.waitForSelector('[data-testid=archive-form]');
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

    expect(await text(page, '[data-testid=archive-saved]')).toContain('的记录已保存');
    // A member does not sign; the leader does, in their own console.
    expect(await page.$(`[data-testid=archive-sign-${month}]`)).toBeNull();
    expect(await englishOnScreen(page)).toEqual([]);
    expect(await checkConsoleAtAllSizes(page, 'archive-profile')).toEqual([]);
    await page.close();
    const leader = await openPerson('district1-leader');
    leader.once('dialog', (d) => void d.accept());
    await press(leader, `archive-sign-${month}`);
    await waitFor('the month signed', async () =>
      (await text(leader, `[data-testid=archive-month-${month}] [data-testid=archive-signed]`)).includes('第一片区督查组 组长') ? true : undefined,
    );
    // Signed: this month's form is gone, it is fixed.
    expect(await leader.$('[data-testid=archive-form]')).toBeNull();
    // The warnings screen: the one left open, with the person beside it.
    await leader.setViewport({ width: 1366, height: 768, deviceScaleFactor: 1 });
    await leader.$$eval('nav.tabs button', (els) => (els.find((e) => (e as HTMLElement).innerText === '廉政预警') as HTMLElement).click());
    await leader.waitForSelector('[data-testid=warnings-list] tbody tr', { timeout: 20_000 });
    const rows = await leader.$$eval('[data-testid=warnings-list] tbody tr', (els) => els.map((e) => (e as HTMLElement).innerText));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('所在单位巡察审计问题整改超期');
    await leader.$eval('[data-testid=warnings-list] tbody tr', (el) => (el as HTMLElement).click());
    await leader.waitForSelector('[data-testid=warning-person] [data-testid=archive-portrait]', { timeout: 20_000 });
    expect(await englishOnScreen(leader)).toEqual([]);
    expect(await checkConsoleAtAllSizes(leader, 'archive-warnings')).toEqual([]);
    await leader.close();
  }, 120_000);

  it('廉政意见回复: three candidates, one blocked by a sanction in its 影响期, one held by an open warning; the office records, the leader signs', async () => {
    const url = env.server().url;
    // A 党内警告 decided a month ago for 何文涛 (CH-0002), imported as the 审理室 would: in effect for a year.
    const supervisor = await loginToken(url, 'supervisor', 'supervisor-demo');
    const decided = localDay(new Date(Date.now() - 30 * 86_400_000));
    const imported = await fetch(`${url}/api/registry/imports?kind=discipline`, {
      method: 'POST',
      headers: { authorization: `Bearer ${supervisor}`, 'content-type': 'text/csv' },
      body: `记录编号,人员编码,处分日期,处分种类,事由,决定机关\nCF-E2E-1,CH-0002,${decided},党内警告,违规发放津补贴,县纪委监委\n`,
    });
    const importId = ((await imported.json()) as { id: string }).id;
    await waitFor('the import is done', async () =>
      (await api<{ status: string }>(url, 'GET', `/api/registry/imports/${importId}`, { token: supervisor })).body.status === 'done' ? true : undefined,
    );

    const office = await openConsole(env.browser(), url, 'conduct1', 'conduct1-demo', '[data-testid=discipline-query]');
    await office.$$eval('nav.tabs button', (els) => (els.find((e) => (e as HTMLElement).innerText === '廉政意见') as HTMLElement).click());
    await office.waitForSelector('[data-testid=opinion-new]', { timeout: 20_000 });
    await press(office, 'opinion-new');
    await office.waitForSelector('[data-testid=opinion-form]');
    await office.type('[data-testid=opinion-requester]', '中共长沙县委组织部');
    await office.type('[data-testid=opinion-doc]', '县组函〔2026〕12号');
    // An unknown code is refused in the server's words, naming it, and nothing is recorded.
    await office.type('[data-testid=opinion-codes]', 'XS-0001\nCH-0002\nXS-9999');
    await press(office, 'opinion-submit');
    await waitFor('the refusal', async () => (await text(office, '[data-testid=opinion-form-error]')) || undefined);
    expect(await text(office, '[data-testid=opinion-form-error]')).toBe('以下人员编码不在档案中：XS-9999');
    await typeInto(office, 'opinion-codes', 'XS-0001\nCH-0002\nXS-0006');
    await press(office, 'opinion-submit');
    await office.waitForSelector('[data-testid=opinion-items]', { timeout: 20_000 });
    // 王建国's warning of the first test is still open: 暂缓.
    expect(await text(office, '[data-testid=opinion-summary]')).toBe('共 3 人：不同意 1 人，暂缓 1 人，其余无不同意见。');
    expect(await text(office, '[data-testid=opinion-item-XS-0001]')).toContain('清廉档案有 1 条苗头性问题预警尚未处置');
    expect(await text(office, '[data-testid=opinion-item-CH-0002]')).toContain('影响期内不得提拔使用或评优评先');
    expect(await text(office, '[data-testid=opinion-item-CH-0002]')).toContain('不同意');
    expect(await text(office, '[data-testid=opinion-item-XS-0006]')).toContain('未发现该同志有违纪违法问题');
    expect(await office.$('[data-testid=opinion-sign]')).toBeNull();
    expect(await englishOnScreen(office)).toEqual([]);
    expect(await checkConsoleAtAllSizes(office, 'opinions')).toEqual([]);
    await office.close();

    const leader = await openConsole(env.browser(), url, 'leader1', 'leader1-demo', 'nav.tabs');
    await leader.$$eval('nav.tabs button', (els) => (els.find((e) => (e as HTMLElement).innerText === '廉政意见') as HTMLElement).click());
    await leader.waitForSelector('[data-testid=opinions-list] tbody tr', { timeout: 20_000 });
    await leader.$eval('[data-testid=opinions-list] tbody tr', (el) => (el as HTMLElement).click());
    await leader.waitForSelector('[data-testid=opinion-sign]', { timeout: 20_000 });
    leader.once('dialog', (d) => void d.accept());
    await press(leader, 'opinion-sign');
    await waitFor('the reply signed', async () => ((await text(leader, '[data-testid=opinion-signed]')).startsWith('已由') ? true : undefined));
    expect(await text(leader, '[data-testid=opinion-signed]')).toContain('县纪委监委 主要负责人');
    expect(await leader.$('[data-testid=opinion-sign]')).toBeNull();
    expect(await englishOnScreen(leader)).toEqual([]);
    expect(await checkConsoleAtAllSizes(leader, 'opinion-signed')).toEqual([]);
    await leader.close();
  }, 120_000);

  it('回访教育: the 审理室 plans a visit from the person page for the sanction in its 影响期, and records it made', async () => {
    // 何文涛's 党内警告 imported by the test before: in its 影响期.
    const page = await openConsole(env.browser(), env.server().url, 'reviewer1', 'reviewer1-demo', '[data-testid=discipline-query]');
    await page.type('[data-testid=discipline-q]', '何文涛');
    await press(page, 'discipline-search');
    await page.waitForSelector('[data-testid=person-CH-0002]', { timeout: 20_000 });
    await press(page, 'person-CH-0002');
    await page.waitForSelector('[data-testid=plan-visit-CF-E2E-1]', { timeout: 20_000 });
    // Records over or without 影响期 offer no visit.
    expect(await page.$$eval('[data-testid^=plan-visit-CF]', (els) => els.length)).toBe(1);
    await press(page, 'plan-visit-CF-E2E-1');
    await page.waitForSelector('[data-testid=plan-visit-save]');
    await press(page, 'plan-visit-save');
    await waitFor('the visit planned', async () => ((await text(page, '[data-testid=record-CF-E2E-1]')).includes('已安排') ? true : undefined));

    await page.$$eval('nav.tabs button', (els) => (els.find((e) => (e as HTMLElement).innerText === '回访教育') as HTMLElement).click());
    await page.waitForSelector('[data-testid=visit-CF-E2E-1]', { timeout: 20_000 });
    expect(await text(page, '[data-testid=visit-CF-E2E-1]')).toContain('何文涛');
    await press(page, 'visit-CF-E2E-1');
    await page.waitForSelector('[data-testid=visit-record]');
    await press(page, 'visit-save');
    await waitFor('the refusal', async () => (await text(page, '[data-testid=visit-error]')) || undefined);
    expect(await text(page, '[data-testid=visit-error]')).toContain('请填写回访情况');
    await page.type('[data-testid=visit-notes]', '本人思想稳定，能正确对待处分，工作积极主动。');
    await press(page, 'visit-save');
    await waitFor('the visit recorded', async () => ((await page.$('[data-testid=visit-CF-E2E-1]')) === null ? true : undefined));
    await press(page, 'visits-done');
    await page.waitForSelector('[data-testid=visit-CF-E2E-1]', { timeout: 20_000 });
    expect(await text(page, '[data-testid=visit-CF-E2E-1]')).toContain('已回访');
    expect(await englishOnScreen(page)).toEqual([]);
    expect(await checkConsoleAtAllSizes(page, 'visits')).toEqual([]);
    await page.close();
  }, 120_000);
});
