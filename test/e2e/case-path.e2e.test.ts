// Issue 16's acceptance path, as its users walk it, each through their own screen: a named accusation taken in a live
// call → 交办 to the township with the deadline the county sets → the township accepts, reports progress, then the
// result → the county approves with feedback and gives the named accuser both notices → the villager reads them at the
// kiosk and rates 不满意 → the supervisor's board carries the follow-up task. No REST step: every screen exists.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { callAndAnswer, consoleAndIdleKiosk, lookUpReceipt, openConsole, waitForScreen } from '../helpers/apps.js';
import { expectMediaFlowing } from '../helpers/browser.js';
import { act, fileNamedAccusation, openCase, setDate, text, townshipConsole } from '../helpers/case-screens.js';
import { useServerAndBrowser } from '../helpers/e2e.js';
import { DEMO_PASSWORDS, randomIdCard } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/poll.js';

/** "YYYY-MM-DD", `days` after today in China (the county's calendar). */
function chinaDayAhead(days: number): string {
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
  return new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
/** How the console writes that day (its chinaDay). */
const shownAs = (day: string) => new Date(`${day}T12:00:00+08:00`).toLocaleDateString('zh-CN', { timeZone: 'Asia/Shanghai' });

describe('the case path of issue 16, screen by screen', () => {
  const env = useServerAndBrowser();
  const canaryName = `CANARY-${randomBytes(3).toString('hex')}`;
  const canaryId = randomIdCard();
  const canaryPhone = `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;

  it('a named accusation taken in a live call → 交办 with a deadline → township progress, its disposition of the lead and result → approved with feedback → 受理告知 and 结果反馈 → the kiosk shows them and is rated 不满意 → follow-up task; the township never sees who accused', async () => {
    const room = 'xingsha';
    const { server, browser } = { server: env.server(), browser: env.browser() };
    const url = server.url;

    // 1. The villager calls from the xingsha room; officer1 answers and, during the call, takes the named accusation.
    const { consolePage: officer, kiosk } = await consoleAndIdleKiosk(browser, url, server.demoSecrets().kiosks[room]!, room);
    await callAndAnswer(kiosk, officer, room);
    await expectMediaFlowing(officer, waitFor, 'console');
    const narrative = '反映村干部在危房改造补助评定中优亲厚友';
    const accused = '孙某某';
    const { code, pin } = await fileNamedAccusation(officer, { narrative, accused, name: canaryName, idCard: canaryId, phone: canaryPhone });
    await kiosk.bringToFront();
    await kiosk.waitForSelector('[data-testid=receipt]');
    expect((await text(kiosk, '[data-testid=receipt-code]')).replace(/\s/g, '')).toBe(code);
    expect(await text(kiosk, '[data-testid=receipt-pin]')).toBe(pin);
    await kiosk.click('[data-testid=receipt-done]');
    await kiosk.click('[data-testid=end-button]');
    await kiosk.click('[data-testid=end-confirm-yes]');
    await waitForScreen(kiosk, 'ended');
    await kiosk.click('[data-testid=home-button]');
    await waitForScreen(kiosk, 'idle');

    // 2. officer1 交办 it to the township with a 办结期限 about a month ahead; the case then runs to that day.
    const due = chinaDayAhead(30);
    await officer.bringToFront();
    await officer.click('[data-testid=nav-cases]');
    await openCase(officer, code);
    expect(await text(officer, '[data-testid=matter-class]')).toContain('实名');
    await act(officer, 'refer', '请兴沙镇纪委按期核查并报告结果', (p) => setDate(p, '[data-testid=action-due-date]', due));
    await waitFor('referred, with the deadline set', async () => (await text(officer, '[data-testid=deadline]')).includes(`办结期限：${shownAs(due)}`));
    expect(await text(officer, '[data-testid=steps]')).toContain('交办');

    // officer1 tells the accuser it was accepted and 交办, from the feedback screen.
    await officer.click('[data-testid=nav-notices]');
    await officer.waitForSelector(`[data-testid=notice-${code}-accept]`);
    await officer.click(`[data-testid=notice-${code}-accept]`);
    await officer.waitForSelector('[data-testid=workflow]');
    await act(officer, 'notify_accept', '您的检举已受理，并交办兴沙镇纪委办理，特此告知。');
    await waitFor('acceptance notice recorded', async () => (await text(officer, '[data-testid=notices]')).includes('受理告知已于'));

    // 3. The township handler: the same deadline, then accept, a progress report, and the result — never the accuser.
    const secrets = [canaryName, canaryId, canaryPhone, code, pin];
    const township = await townshipConsole(browser, url, 'xingsha-handler', accused, narrative, secrets);
    await township.show();
    expect(await text(township.page, '[data-testid=township-cases]')).toContain(shownAs(due));
    expect(await text(township.page, '[data-testid=deadline]')).toContain(`办结期限：${shownAs(due)}`);
    await act(township.page, 'township_accept');
    // A quarter's progress report would fall after the 60-day result: the result is owed first, so none is shown due.
    expect(await township.page.$('[data-testid=progress-due]')).toBeNull();
    await act(township.page, 'report_progress', '已走访危房改造户四户，正在调取村民代表评议记录');
    expect(await text(township.page, '[data-testid=steps]')).toContain('进展报告');
    // The township disposes of the lead 交办 to it (问题线索处置: 初步核实) and records the conclusion, then reports.
    await act(township.page, 'decide_disposition', '线索具体，具有可查性，由镇纪委初步核实', (p) => p.click('[data-testid=disposition-initial_check]'));
    await waitFor('the township’s disposition shown', async () => (await text(township.page, '[data-testid=disposition]')).includes('初步核实'));
    await act(township.page, 'record_outcome', '经初步核实，危房改造补助评定中存在优亲厚友问题', async (p) => {
      await p.select('[data-testid=outcome-conclusion]', 'substantiated');
    });
    await waitFor('the township’s conclusion shown', async () => (await text(township.page, '[data-testid=disposition]')).includes('处置结果：属实'));
    await township.show();
    await act(township.page, 'report', '经核查，反映问题属实，已取消不符合条件的补助并督促整改');
    await township.show();

    // 4. The supervisor reads the progress report and the result, and approves with feedback for the accuser.
    const feedback = '您反映的危房改造补助评定问题经查属实，已纠正并处理相关人员。';
    const sup = await openConsole(browser, url, 'supervisor', DEMO_PASSWORDS['supervisor']!);
    await sup.click('[data-testid=nav-cases]');
    await openCase(sup, code);
    expect(await text(sup, '[data-testid=steps]')).toContain('进展报告');
    // The township's disposition and conclusion, said to be the township's, are what the county reviews.
    expect(await text(sup, '[data-testid=disposition]')).toMatch(/初步核实[\s\S]*由承办的乡镇纪委决定[\s\S]*处置结果：属实/);
    await act(sup, 'approve', undefined, (p) => p.type('[data-testid=action-feedback]', feedback));
    await waitFor('closed', async () => (await text(sup, '[data-testid=case-detail]')).includes('已办结'));

    // officer1 gives the named accuser the result (结果反馈), again from the feedback screen.
    await officer.bringToFront();
    await officer.reload();
    await officer.waitForSelector('[data-testid=nav-notices]');
    await officer.click('[data-testid=nav-notices]');
    await officer.waitForSelector(`[data-testid=notice-${code}-result]`);
    await officer.click(`[data-testid=notice-${code}-result]`);
    await officer.waitForSelector('[data-testid=workflow]');
    await act(officer, 'notify_result', '经查属实，已纠正并处理相关人员，特此告知。');
    await waitFor('result notice recorded', async () => (await text(officer, '[data-testid=notices]')).includes('结果反馈已于'));
    // Nothing of the notices reaches the township.
    await township.show();
    expect(await township.page.content()).not.toContain('特此告知');

    // 5. At the kiosk: the receipt shows both notices and the feedback; the villager rates 不满意 with a reason.
    await kiosk.bringToFront();
    await lookUpReceipt(kiosk, code, pin);
    await kiosk.waitForSelector('[data-testid=lookup-feedback]');
    expect(await text(kiosk, '[data-testid=lookup-feedback]')).toContain(feedback);
    expect(await text(kiosk, '[data-testid=lookup-notice-accept]')).toContain('交办兴沙镇纪委办理');
    expect(await text(kiosk, '[data-testid=lookup-notice-result]')).toContain('特此告知');
    expect(await kiosk.content()).not.toContain(canaryName);
    await kiosk.click('[data-testid=rate-open]');
    await kiosk.waitForSelector('[data-testid=rate-choose]');
    await kiosk.click('[data-testid=rate-unsatisfied]');
    await kiosk.waitForSelector('[data-testid=rate-reason]');
    await kiosk.click('[data-testid=rate-reason-unresolved]');
    await kiosk.waitForSelector('[data-testid=rate-done]');
    expect(await text(kiosk, '[data-testid=rate-done]')).toContain('回访复核');

    // 6. The supervisor's board carries the follow-up task with the rating and its reason; the township never learns it.
    await sup.bringToFront();
    await sup.click('[data-testid=nav-dashboard]');
    await sup.waitForSelector(`[data-testid=follow-up-${code}]`);
    const row = await text(sup, `[data-testid=follow-up-${code}]`);
    expect(row).toContain('不满意');
    expect(row).toContain('没有解决问题');
    await township.show();
    expect(await township.page.content()).not.toContain('不满意');
  }, 240_000);
});
