// 密封事项 (issue 16) through the real screens: an officer files a matter about the county commission's leadership
// with the sealed box ticked; the officer's case list, deadline board, statistics page and CSV export, and the
// township handler's desk never show it (nor count it), while the principal leader's 密封事项 page does, and the
// leader sends it up.
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, loginToken } from '../helpers/api.js';
import { firstDownload, keepDownloads, openConsole } from '../helpers/apps.js';
import { launchBrowser } from '../helpers/browser.js';
import { englishOnScreen } from '../helpers/english.js';
import { checkConsoleAtAllSizes } from '../helpers/layout.js';
import { petitionBody, transition } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/poll.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const CANARY = '密封金丝雀：反映县纪委监委某领导违规插手工程';
const ACCUSED = '欧阳密封';
const text = (page: Page, sel: string) => page.$eval(sel, (el) => (el as HTMLElement).innerText).catch(() => '');
/** Clicks in the page itself: a background tab in headless Chromium never finishes puppeteer's scroll-into-view. */
const press = (page: Page, testId: string) => page.$eval(`[data-testid=${testId}]`, (el) => (el as HTMLElement).click());

describe('sealed matters in the console', () => {
  let server: TestServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let officer: Page;
  let sealedCode = '';
  let openCode = '';
  let openId = '';
  /** Sealed, and names the only (linked) principal leader: the office's supervisor sends it up, the leader never sees it. */
  let officeCode = '';

  beforeAll(async () => {
    server = await startTestServer({ env: { RECORDING: 'off' } });
    browser = await launchBrowser();
    // An open matter referred to xingsha: every screen below has content, so "absent" is about the sealing.
    const token = await loginToken(server.url, 'officer2', 'officer2-demo');
    const body = petitionBody('xingsha');
    const filed = await api<{ caseCode: string }>(server.url, 'POST', '/api/petitions', { token, body });
    expect(filed.status).toBe(200);
    openCode = filed.body.caseCode;
    openId = body.id;
    expect((await transition(server.url, token, body.id, { action: 'refer' })).status).toBe(200);
    const naming = petitionBody('xingsha', null, {
      sealed: true,
      accused: [{ name: '郑国栋', unit: '县纪委监委', position: '书记', townshipCode: null, officialCode: 'XJW-0001' }],
    });
    const office = await api<{ caseCode: string }>(server.url, 'POST', '/api/petitions', { token, body: naming });
    expect(office.status).toBe(200);
    officeCode = office.body.caseCode;
  }, 120_000);
  afterAll(async () => {
    await browser?.cleanup();
    await server?.stop();
  });

  it('the officer files it sealed at intake and gets a receipt', async () => {
    officer = await openConsole(browser, server.url, 'officer1', 'officer1-demo');
    await officer.waitForSelector('[data-testid=intake-form]');
    await officer.select('[data-testid=intake-class]', 'accusation');
    await officer.type('textarea[name=narrative]', CANARY);
    await officer.type('input[name=accused-name-0]', ACCUSED);
    await press(officer, 'intake-sealed');
    expect(await officer.$eval('[data-testid=intake-sealed]', (el) => (el as HTMLInputElement).checked)).toBe(true);
    expect(await text(officer, 'label.sealed-choice')).toContain('反映县纪委监委领导班子成员（密封）');
    expect(await text(officer, '[data-testid=intake-sealed-hint]')).toContain('仅县纪委监委主要负责人可见');
    await press(officer, 'intake-submit');
    await officer.waitForSelector('[data-testid=intake-receipt]', { timeout: 20_000 });
    sealedCode = await text(officer, '[data-testid=receipt-code]');
    expect(sealedCode).toMatch(/^\d{10}$/);
  }, 60_000);

  it('the officer’s case list, deadline board, statistics and CSV export never show or count it', async () => {
    await press(officer, 'nav-cases');
    await officer.waitForSelector(`[data-testid=case-${openCode}]`, { timeout: 20_000 });
    const cases = await text(officer, '[data-testid=cases-table]');
    expect(cases).toContain(openCode);
    expect(cases).not.toContain(sealedCode);
    expect(await officer.$(`[data-testid=case-${sealedCode}]`)).toBeNull();

    // Every blob the page hands to the browser as a download, kept for reading (the CSV export).
    await keepDownloads(officer);
    await press(officer, 'nav-dashboard');
    await officer.waitForSelector('[data-testid=stats-table]', { timeout: 20_000 });
    const page = await text(officer, 'main');
    for (const m of [sealedCode, CANARY, ACCUSED]) expect(page).not.toContain(m);
    // One matter received in all: the open one. Counting the sealed one would say 2.
    expect(await text(officer, '.totals strong')).toBe('1');
    expect(await text(officer, '[data-testid=stats-table] tbody')).toMatch(/星沙街道\s+1\s/);

    await press(officer, 'export-csv');
    const csv = Buffer.from(await waitFor('the CSV export', () => firstDownload(officer))).toString('utf8');
    expect(csv).toContain('星沙街道');
    expect(csv).not.toContain(sealedCode);
    const xingsha = csv.split(/\r?\n/).find((l) => l.includes('星沙街道'))!;
    // 乡镇,乡镇代码,登记总数,…: one received.
    expect(xingsha.split(',').slice(0, 3)).toEqual(['星沙街道', 'xingsha', '1']);
  }, 60_000);

  it('the township handler’s desk never shows it', async () => {
    const handler = await openConsole(browser, server.url, 'xingsha-handler', 'xingsha-handler-demo', '[data-testid=township-cases]');
    await handler.waitForSelector(`[data-testid=township-case-${openId}]`, { timeout: 20_000 });
    const desk = await text(handler, 'main');
    for (const m of [sealedCode, CANARY, ACCUSED]) expect(desk).not.toContain(m);
    await handler.close();
  }, 60_000);

  it('the principal leader’s 密封事项 page lists it, opens it, and sends it up', async () => {
    const leader = await openConsole(browser, server.url, 'leader1', 'leader1-demo', '[data-testid=sealed-list]');
    // The leader's console has the sealed matters and, as a commission leader, the discipline records and the 建议书 loop (issue 17);
    // no wall, calls or alerts.
    const nav = await leader.$$eval('nav.tabs button', (els) => els.map((e) => (e as HTMLElement).innerText));
    expect(nav).toEqual(['密封事项', '处分查询', '廉政预警', '政治生态', '建议书整改', '廉政意见']);
    expect(await leader.$('[data-testid^=tile-]')).toBeNull();
    await leader.waitForSelector(`[data-testid=sealed-${sealedCode}]`, { timeout: 20_000 });
    expect(await text(leader, '[data-testid=sealed-list]')).not.toContain(openCode);
    expect(await text(leader, '[data-testid=sealed-list]')).not.toContain(officeCode);
    await press(leader, `sealed-${sealedCode}`);
    await leader.waitForSelector('[data-testid=sealed-detail]');
    expect(await text(leader, '[data-testid=sealed-narrative]')).toBe(CANARY);
    expect(await text(leader, '[data-testid=sealed-detail]')).toContain(ACCUSED);
    expect(await englishOnScreen(leader)).toEqual([]);
    expect(await checkConsoleAtAllSizes(leader, 'sealed-matters')).toEqual([]);
    await leader.setViewport({ width: 1366, height: 768, deviceScaleFactor: 1 });
    await leader.type('[data-testid=send-up-note]', '机要件 2026-密-001');
    await press(leader, 'send-up');
    await leader.waitForSelector('[data-testid=sealed-sent]', { timeout: 20_000 });
    expect(await text(leader, '[data-testid=sealed-sent]')).toMatch(/报送市纪委监委/);
    expect(await text(leader, `[data-testid=sealed-${sealedCode}]`)).toContain('已报送市纪委监委');
    expect(await englishOnScreen(leader)).toEqual([]);
    await leader.close();
  }, 60_000);

  it('the supervisor seals a matter already on file: it leaves the lists and the township desk at once, and reaches the leader, who unseals it', async () => {
    // An officer has no seal button: they are told to ask the supervisor.
    await press(officer, 'nav-cases');
    await officer.waitForSelector(`[data-testid=case-${openCode}]`, { timeout: 20_000 });
    await press(officer, `case-${openCode}`);
    await officer.waitForSelector('[data-testid=case-detail]', { timeout: 20_000 });
    expect(await officer.$('[data-testid=seal-button]')).toBeNull();
    expect(await text(officer, '[data-testid=case-detail]')).toContain('请报告主任密封');

    const supervisor = await openConsole(browser, server.url, 'supervisor', 'supervisor-demo');
    // The supervisor's 密封事项 page (an alert opens it while one waits) holds only the matter no leader may read.
    expect(await supervisor.$('[data-testid=nav-sealed]')).toBeNull();
    await supervisor.waitForSelector('[data-testid=office-sealed-alert]', { timeout: 20_000 });
    await press(supervisor, 'office-sealed-alert');
    await supervisor.waitForSelector(`[data-testid=sealed-${officeCode}]`, { timeout: 20_000 });
    expect(await text(supervisor, '[data-testid=sealed-list]')).toContain('需由信访室直接报送的密封事项');
    expect(await text(supervisor, '[data-testid=sealed-list]')).not.toContain(sealedCode);
    await press(supervisor, `sealed-${officeCode}`);
    await supervisor.waitForSelector('[data-testid=send-up]');
    // Sending up only: no unsealing from the office.
    expect(await supervisor.$('[data-testid=unseal]')).toBeNull();
    expect(await checkConsoleAtAllSizes(supervisor, 'sealed-office')).toEqual([]);
    await supervisor.setViewport({ width: 1366, height: 768, deviceScaleFactor: 1 });
    await press(supervisor, 'send-up');
    await supervisor.waitForSelector('[data-testid=sealed-sent]', { timeout: 20_000 });
    expect(await englishOnScreen(supervisor)).toEqual([]);
    await press(supervisor, 'nav-cases');
    await supervisor.waitForSelector(`[data-testid=case-${openCode}]`, { timeout: 20_000 });
    await press(supervisor, `case-${openCode}`);
    await supervisor.waitForSelector('[data-testid=seal-button]', { timeout: 20_000 });
    await press(supervisor, 'seal-button');
    await supervisor.waitForSelector('[data-testid=seal-reason]');
    expect(await text(supervisor, '[role=dialog]')).toContain('只有县纪委监委主要负责人可见');
    await supervisor.type('[data-testid=seal-reason]', '核实发现反映的是县纪委监委领导班子成员');
    await press(supervisor, 'seal-confirm');
    await supervisor.waitForSelector('[data-testid=case-sealed]', { timeout: 20_000 });
    await waitFor('the sealed case gone from the list', async () => (await supervisor.$(`[data-testid=case-${openCode}]`)) === null);
    expect(await englishOnScreen(supervisor)).toEqual([]);

    const handler = await openConsole(browser, server.url, 'xingsha-handler', 'xingsha-handler-demo', '[data-testid=township-cases]');
    expect(await text(handler, 'main')).not.toContain(openId);
    expect(await handler.$(`[data-testid=township-case-${openId}]`)).toBeNull();
    await handler.close();

    const leader = await openConsole(browser, server.url, 'leader1', 'leader1-demo', '[data-testid=sealed-list]');
    await leader.waitForSelector(`[data-testid=sealed-${openCode}]`, { timeout: 20_000 });
    expect(await text(leader, `[data-testid=sealed-${openCode}]`)).toContain('登记后密封');
    await press(leader, `sealed-${openCode}`);
    await leader.waitForSelector('[data-testid=sealed-detail]');
    expect(await text(leader, '[data-testid=sealed-detail]')).toContain('核实发现反映的是县纪委监委领导班子成员');
    // Sealed by mistake after all: the leader returns it to the county office with a reason.
    await leader.type('[data-testid=unseal-reason]', '经审查，并非反映领导班子成员');
    await press(leader, 'unseal');
    await leader.waitForSelector('[data-testid=sealed-unsealed]', { timeout: 20_000 });
    await waitFor('the unsealed matter gone from the leader’s list', async () => (await leader.$(`[data-testid=sealed-${openCode}]`)) === null);
    expect(await englishOnScreen(leader)).toEqual([]);
    await leader.close();
    // Back in the county's list (opened afresh).
    await press(supervisor, 'nav-workbench');
    await press(supervisor, 'nav-cases');
    await supervisor.waitForSelector(`[data-testid=case-${openCode}]`, { timeout: 20_000 });
    await supervisor.close();
  }, 120_000);
});
