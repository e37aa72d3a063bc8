import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { ElementHandle, Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { localDay, MANAGEMENT_LEVEL_LABELS, SANCTION_RULES } from '@vj/shared';
import { loadRooms } from '../../signaling/src/db/seed.js';
import { generateCounty, SMALL_COUNTY } from '../../signaling/src/discipline/synthetic-county.js';
import { api, loginToken } from '../helpers/api.js';
import { firstDownload, keepDownloads, openConsole, press } from '../helpers/apps.js';
import { useServerAndBrowser } from '../helpers/e2e.js';
import { englishOnScreen } from '../helpers/english.js';
import { checkConsoleAtAllSizes } from '../helpers/layout.js';
import { waitFor } from '../helpers/poll.js';

// 清廉档案 and 廉政意见回复 (issue 17) in Chromium. A 第一片区 member opens 王建国 (a key official), enters this month's
// six dimensions with a 较差 assessment and overdue rectification, sees the warnings raised and the portrait change,
// and closes one with a 提醒; the leader signs the month off and sees what is left on the warnings screen. Then
// 党风政风监督室 records an opinion request for three candidates (one with a sanction still in its 影响期: 不同意), and
// the commission leader signs the reply. Then the supervisor imports the (small) demo county from the spreadsheets a
// personnel system exports (.xlsx and CSV), a 督查组 member imports this month from a sheet and sees its warning, and
// 党风政风监督室 opens a unit's 政治生态报告 and downloads it as a PDF, read back as text. Chinese only, at the four
// console sizes.

const text = (page: Page, sel: string) => page.$eval(sel, (el) => (el as HTMLElement).innerText).catch(() => '');
/**
 * Replaces a box's words as a person does, selecting them and typing over them: the page's own state then follows.
 * (Clearing the element's value behind the page's back raced its next render on a loaded machine: a CI run typed
 * 星沙街道党工委 after the 县委办公室 the page put back.)
 */
const typeInto = async (page: Page, testId: string, value: string) => {
  const sel = `[data-testid=${testId}]`;
  await page.focus(sel);
  await page.keyboard.down('Control');
  await page.keyboard.press('KeyA');
  await page.keyboard.up('Control');
  await page.keyboard.press('Backspace');
  await page.type(sel, value);
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

  it('政治生态报告 and the imports: the demo county from a workbook, a month from a sheet, a unit’s report as PDF', async () => {
    const url = env.server().url;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vj-e2e-archive-'));
    try {
      // The small demo county as the personnel system and the 审理室 export it: people as .xlsx, records as CSV.
      const county = generateCounty(loadRooms().rooms, SMALL_COUNTY, 7);
      const units = new Map(county.units.map((u) => [u.code, u]));
      const book = new ExcelJS.Workbook();
      const sheet = book.addWorksheet('人员名册');
      sheet.addRow(['人员编码', '姓名', '单位编码', '单位名称', '职务', '乡镇', '管理层级', '职级', '关键少数', '片区']);
      for (const p of county.people) {
        const u = units.get(p.unitCode)!;
        sheet.addRow([
          `DC-${p.code}`,
          p.name,
          `DC-${u.code}`,
          u.name,
          p.position,
          p.townshipCode ?? '',
          MANAGEMENT_LEVEL_LABELS[p.managementLevel],
          p.rank,
          p.keyOfficial ? '是' : '否',
          u.districtCode ?? '',
        ]);
      }
      await book.xlsx.writeFile(path.join(dir, '人员名册.xlsx'));
      const csv = ['记录编号,人员编码,处分日期,处分种类,事由,决定机关,察看期'];
      for (const r of county.records)
        csv.push(
          [
            `DC-${r.id}`,
            `DC-${r.officialCode}`,
            r.decidedOn,
            SANCTION_RULES[r.sanction!].label,
            r.reason,
            r.authority,
            r.probationMonths === 24 ? '二年' : r.probationMonths ? '一年' : '',
          ].join(','),
        );
      fs.writeFileSync(path.join(dir, '处分记录.csv'), csv.join('\n'));

      const supervisor = await openConsole(env.browser(), url, 'supervisor', 'supervisor-demo');
      await press(supervisor, 'nav-registry');
      for (const [kind, file, rows] of [
        ['officials', '人员名册.xlsx', county.people.length],
        ['discipline', '处分记录.csv', county.records.length],
      ] as const) {
        const input = (await supervisor.waitForSelector(`[data-testid=import-file-${kind}]`)) as ElementHandle<HTMLInputElement>;
        await input.uploadFile(path.join(dir, file));
        await waitFor(
          `the ${kind} import done`,
          async () => ((await text(supervisor, `[data-testid=import-${kind}] [role=status]`)).trim().startsWith('导入完成') ? true : undefined),
          {
            timeoutMs: 120_000,
          },
        );
        expect((await text(supervisor, `[data-testid=import-${kind}] [role=status]`)).trim()).toBe(`导入完成：成功 ${rows} 行，0 行有问题`);
      }
      await supervisor.close();

      // A 第一片区 member imports this month for 孙立平 (XS-0006) from a sheet: 较差, so a warning is raised.
      const month = localDay().slice(0, 7);
      fs.writeFileSync(
        path.join(dir, '月度情况.csv'),
        [
          '人员编码,月份,房产等财产情况,车辆情况,子女及其配偶从业情况,管党治党,工作履职,精神状态,廉洁自律,巡察审计问题,廉政鉴定,正在整改问题数,超期问题数',
          `XS-0006,${month},县城住房一套,小型轿车一辆,子女在读,落实一岗双责,重点项目推进迟缓,有畏难情绪,未发现问题,无,较差,0,0`,
          `CH-0002,${month},县城住房一套,无,子女在读,落实一岗双责,按期推进,良好,未发现问题,无,良好,0,0`,
        ].join('\n'),
      );
      const member = await openConsole(env.browser(), url, 'district1-inspector', 'district1-inspector-demo', 'nav.tabs');
      await press(member, 'nav-warnings');
      const sheetInput = (await member.waitForSelector('[data-testid=import-file-archive_months]', { timeout: 20_000 })) as ElementHandle<HTMLInputElement>;
      await sheetInput.uploadFile(path.join(dir, '月度情况.csv'));
      await waitFor('the month imported', async () =>
        (await text(member, '[data-testid=import-archive_months] [role=status]')).trim().startsWith('导入完成') ? true : undefined,
      );
      expect((await text(member, '[data-testid=import-archive_months] [role=status]')).trim()).toBe('导入完成：成功 1 行，1 行有问题');
      // 何文涛 is of 第二片区: the row is refused, by line.
      expect(await text(member, '[data-testid=import-errors-archive_months]')).toContain('人员编码不在本片区的清廉档案中');
      await waitFor('the warning listed', async () => ((await text(member, '[data-testid=warnings-list]')).includes('孙立平') ? true : undefined));
      expect(await text(member, '[data-testid=warnings-list]')).toContain('本月廉政鉴定为较差');
      expect(await englishOnScreen(member)).toEqual([]);
      expect(await checkConsoleAtAllSizes(member, 'archive-import')).toEqual([]);
      await member.close();

      // 党风政风监督室: the units (the imported county's too), 星沙街道党工委's report, and its PDF.
      const office = await openConsole(env.browser(), url, 'conduct1', 'conduct1-demo', '[data-testid=discipline-query]');
      await press(office, 'nav-ecology');
      const first = county.units[0]!;
      await office.type('[data-testid=unit-search]', first.name);
      await office.keyboard.press('Enter');
      await office.waitForSelector(`[data-testid=unit-DC-${first.code}]`, { timeout: 20_000 });
      const members = county.people.filter((p) => p.unitCode === first.code).length;
      expect(await text(office, `[data-testid=unit-DC-${first.code}]`)).toContain(String(members));
      await typeInto(office, 'unit-search', '星沙街道党工委');
      // Searched once the box holds the words (on a loaded machine the page may not have taken every key yet); a
      // search that failed is searched again, as the officer would. A timeout says what the box and list showed.
      await waitFor(
        'the unit found',
        async () => {
          if (await office.$('[data-testid=unit-XS-DGW]')) return true;
          const typed = await office.$eval('[data-testid=unit-search]', (el) => (el as HTMLInputElement).value);
          if (typed === '星沙街道党工委') {
            await office.focus('[data-testid=unit-search]');
            await office.keyboard.press('Enter');
          } else await typeInto(office, 'unit-search', '星沙街道党工委');
          throw new Error(`box "${typed}", list "${(await text(office, '[data-testid=units]')).replace(/\s+/g, ' ').slice(0, 300)}"`);
        },
        { timeoutMs: 30_000, intervalMs: 1000 },
      );
      await press(office, 'unit-XS-DGW');
      await office.waitForSelector('[data-testid=report-summary]', { timeout: 20_000 });
      expect(await text(office, '[data-testid=unit-report] h2')).toBe('星沙街道党工委政治生态报告');
      expect(await text(office, '[data-testid=report-facts]')).toContain('近一年 1 条，办结 0 条，待处置 1 条');
      expect(await text(office, '[data-testid=report-summary]')).toContain('综合研判：本单位存在需关注的问题');
      expect(await englishOnScreen(office)).toEqual([]);
      expect(await checkConsoleAtAllSizes(office, 'unit-report')).toEqual([]);

      // The PDF as the browser receives it, read back as text.
      await keepDownloads(office);
      await press(office, 'report-pdf');
      const bytes = await waitFor('the PDF', () => firstDownload(office));
      fs.writeFileSync(path.join(dir, 'report.pdf'), Buffer.from(bytes));
      const pdfText = execFileSync('pdftotext', [path.join(dir, 'report.pdf'), '-'], { encoding: 'utf8' });
      expect(pdfText).toContain('星沙街道党工委政治生态报告');
      expect(pdfText).toContain('本月廉政鉴定为较差');
      await office.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
