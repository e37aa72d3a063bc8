import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { callAndAnswer, consoleAndIdleKiosk, lookUpReceipt, openConsole, waitForScreen } from '../helpers/apps.js';
import { expectMediaFlowing } from '../helpers/browser.js';
import { act, fileNamedAccusation, openCase, text, townshipConsole } from '../helpers/case-screens.js';
import { useServerAndBrowser } from '../helpers/e2e.js';
import { randomIdCard } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/poll.js';

describe('confidential records and the case loop through the real screens', () => {
  const env = useServerAndBrowser();
  const canaryName = `CANARY-${randomBytes(3).toString('hex')}`;
  const canaryId = randomIdCard();

  it('intake in a live call → receipt on the kiosk → 交办 → township handling and progress → returned once → approved → the kiosk shows the feedback → rated 不满意 → follow-up task; township pages never hold identity; a reveal is audited', async () => {
    const room = 'xingsha';
    const { server, browser } = { server: env.server(), browser: env.browser() };
    const { consolePage: officer, kiosk } = await consoleAndIdleKiosk(browser, server.url, server.demoSecrets().kiosks[room]!, room);
    await callAndAnswer(kiosk, officer, room);
    await expectMediaFlowing(officer, waitFor, 'console');

    // Intake on the console, linked to the live call.
    const { code, pin } = await fileNamedAccusation(officer, {
      narrative: '反映村干部在低保评定中优亲厚友',
      accused: '赵某某',
      name: canaryName,
      idCard: canaryId,
      phone: '13912345678',
    });

    // The same receipt appears on the kiosk, in large digits.
    await kiosk.bringToFront();
    await kiosk.waitForSelector('[data-testid=receipt]');
    // Beside the call, not over it: the officer's video stays visible, and the two buttons line up (at the
    // kiosk's common 1280×800).
    await kiosk.setViewport({ width: 1280, height: 800 });
    await waitFor('the call laid out at 1280×800', () =>
      kiosk.evaluate(() => document.querySelector('[data-testid=call-media]')!.getBoundingClientRect().height > 300),
    );
    const layout = await kiosk.evaluate(() => {
      const media = document.querySelector('[data-testid=call-media]')!;
      const box = media.getBoundingClientRect();
      const hit = document.elementFromPoint(box.left + box.width / 4, box.top + box.height / 2);
      const buttons = [...document.querySelectorAll('.receipt-actions button')].map((b) => b.getBoundingClientRect());
      return {
        hitWas: `${hit?.tagName}.${hit?.className}`,
        videoVisible: box.height > 100 && media.contains(hit),
        tops: buttons.map((b) => Math.round(b.top)),
        heights: buttons.map((b) => Math.round(b.height)),
      };
    });
    expect(layout.videoVisible, layout.hitWas).toBe(true);
    expect(new Set(layout.tops).size).toBe(1);
    expect(new Set(layout.heights).size).toBe(1);
    expect((await text(kiosk, '[data-testid=receipt-code]')).replace(/\s/g, '')).toBe(code);
    expect(await text(kiosk, '[data-testid=receipt-pin]')).toBe(pin);
    await kiosk.click('[data-testid=receipt-done]');
    await kiosk.click('[data-testid=end-button]');
    await kiosk.click('[data-testid=end-confirm-yes]'); // hanging up asks once (issue 14)
    await waitForScreen(kiosk, 'ended');
    await kiosk.click('[data-testid=home-button]');

    // Later, at the kiosk: the number pad, then the status in plain words. A wrong PIN first: the villager
    // retypes only the 6 digits, the 10-digit code is kept (it used to offer only 返回首页).
    await waitForScreen(kiosk, 'idle');
    const wrong = String((Number(pin) + 1) % 1_000_000).padStart(6, '0');
    await lookUpReceipt(kiosk, code, wrong);
    await kiosk.waitForSelector('[data-testid=lookup-retry-pin]');
    await kiosk.click('[data-testid=lookup-retry-pin]');
    await kiosk.waitForSelector('[data-testid=pad-display]');
    expect(await text(kiosk, 'h1')).toContain('密码');
    for (const d of pin) await kiosk.click(`[data-testid=pad-${d}]`);
    await kiosk.click('[data-testid=pad-next]');
    await kiosk.waitForSelector('[data-testid=lookup-status]');
    expect(await text(kiosk, '[data-testid=lookup-status]')).toContain('已经收到');
    expect(await kiosk.content()).not.toContain(canaryName);

    // The county refers it; the township handler sees the case, and nothing of who reported it.
    await officer.bringToFront();
    await officer.click('[data-testid=nav-cases]');
    await openCase(officer, code);
    // 交办 and 转办 are offered as two different choices, each with its one line.
    await officer.waitForSelector('[data-testid=action-transfer]');
    expect(await text(officer, '[data-testid=workflow] .actions')).toMatch(/交办：[\s\S]*县纪委监委审核办结[\s\S]*转办：[\s\S]*依职权办理/);
    await act(officer, 'refer');
    await waitFor('referred', async () => (await text(officer, '[data-testid=steps]')).includes('交办'));

    const secrets = [canaryName, canaryId, '13912345678', code, pin];
    const { page: township, show: townshipCase } = await townshipConsole(browser, server.url, 'xingsha-handler', '赵某某', '优亲厚友', secrets);
    await townshipCase();
    await act(township, 'township_accept');
    // 交办: the township sees the route and reports progress. No report is shown due: a quarter's would fall after the
    // 60-day result, which is owed first.
    expect(await township.$('[data-testid=progress-due]')).toBeNull();
    expect(await text(township, '[data-testid=township-cases]')).toContain('交办');
    await act(township, 'report_progress', '已走访低保户三户，正在调取评议会议记录');
    await act(township, 'add_step', '走访低保户三户,调取评议会议记录');
    await act(township, 'report', '经核查,反映问题属实,已取消违规低保资格');

    // The county returns it once, with comments the township sees; then approves the second report.
    const sup = await openConsole(browser, server.url, 'supervisor', 'supervisor-demo');
    await sup.click('[data-testid=nav-cases]');
    await openCase(sup, code);
    expect(await text(sup, '[data-testid=steps]')).toContain('进展报告');
    await act(sup, 'return', '请补充对相关责任人的处理情况');
    await townshipCase();
    expect(await text(township, '[data-testid=steps]')).toContain('请补充对相关责任人的处理情况');
    await act(township, 'report', '已对村委会主任进行诫勉谈话,并退回违规款项');
    await townshipCase();

    await sup.bringToFront();
    await sup.reload();
    await sup.waitForSelector('[data-testid=nav-cases]');
    await sup.click('[data-testid=nav-cases]');
    await openCase(sup, code);
    const feedback = '您反映的低保评定问题经查属实,已纠正并处理相关人员。';
    await sup.click('[data-testid=action-approve]');
    await sup.type('[data-testid=action-feedback]', feedback);
    await sup.click('[data-testid=action-confirm]');
    await waitFor('closed', async () => (await text(sup, '[data-testid=case-detail]')).includes('已办结'));
    await townshipCase();

    // A named accusation: the feedback screen lists the notices owed; the result is given and recorded from there.
    await sup.bringToFront();
    await sup.click('[data-testid=nav-notices]');
    await sup.waitForSelector(`[data-testid=notice-${code}-result]`);
    expect(await sup.$(`[data-testid=notice-${code}-accept]`)).not.toBeNull();
    await sup.click(`[data-testid=notice-${code}-result]`);
    await sup.waitForSelector('[data-testid=workflow]');
    await act(sup, 'notify_result', '经查属实，已纠正并处理相关人员，特此告知。');
    await waitFor(
      'result notice off the list',
      async () => (await sup.$(`[data-testid=notice-${code}-result]`)) === null || (await text(sup, '[data-testid=notices]')).includes('结果反馈已于'),
    );
    // The township's page never shows that notice, nor that the accuser gave a name.
    await townshipCase();
    expect(await township.content()).not.toContain('特此告知');

    // The villager's receipt now shows the county's feedback, at any kiosk.
    await kiosk.bringToFront();
    await kiosk.click('[data-testid=lookup-back]');
    await waitForScreen(kiosk, 'idle');
    await lookUpReceipt(kiosk, code, pin);
    await kiosk.waitForSelector('[data-testid=lookup-feedback]');
    expect(await text(kiosk, '[data-testid=lookup-feedback]')).toContain(feedback);
    expect(await text(kiosk, '[data-testid=lookup-notice-result]')).toContain('特此告知');
    expect(await kiosk.content()).not.toContain(canaryName);

    // A supervisor reveals the identity with a reason, and the audit log shows it.
    await sup.bringToFront();
    await sup.waitForSelector('[data-testid=reveal-button]');
    await sup.click('[data-testid=reveal-button]');
    await sup.type('[data-testid=reveal-reason]', '核实信访人联系方式以便反馈');
    await sup.click('[data-testid=reveal-confirm]');
    await sup.waitForSelector('[data-testid=revealed-identity]');
    expect(await text(sup, '[data-testid=revealed-identity]')).toContain(canaryName);
    await sup.click('.dialog .actions button');
    await sup.click('[data-testid=nav-audit]');
    await waitFor('the reveal, in Chinese, in the audit view', async () => (await text(sup, '[data-testid=audit-view]')).includes('查看信访人身份'));
    await sup.click('.filters button:last-of-type');
    await waitFor('chain verified from the console', async () => (await text(sup, '[data-testid=audit-verify-result]')).includes('审计链完整'));

    // The villager, still at the kiosk with the result on screen, rates the handling 不满意 with a reason; the
    // supervisor's board then carries the follow-up task (回访复核) for this case.
    await kiosk.bringToFront();
    await kiosk.waitForSelector('[data-testid=rate-open]');
    await kiosk.click('[data-testid=rate-open]');
    await kiosk.waitForSelector('[data-testid=rate-choose]');
    await kiosk.click('[data-testid=rate-unsatisfied]');
    await kiosk.waitForSelector('[data-testid=rate-reason]');
    await kiosk.click('[data-testid=rate-reason-unresolved]');
    await kiosk.waitForSelector('[data-testid=rate-done]');
    expect(await text(kiosk, '[data-testid=rate-done]')).toContain('回访复核');
    await sup.bringToFront();
    await sup.click('[data-testid=nav-dashboard]');
    await sup.waitForSelector(`[data-testid=follow-up-${code}]`);
    expect(await text(sup, `[data-testid=follow-up-${code}]`)).toContain('不满意');
    // The township never learns of the rating.
    await townshipCase();
    expect(await township.content()).not.toContain('不满意');
  });
});
