// 等保三级 second factor in the console, as people use it: a demo administrator signs in with password and the
// code from an authenticator app; a supervisor created on the server chooses a password, is made to enrol (QR
// code shown once, the secret as text, recovery codes once), signs in with a recovery code, sees and ends a
// login session of their own; the security administrator resets the lost factor with a reason, and the
// supervisor is made to enrol again.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConsole } from '../helpers/apps.js';
import { launchBrowser, newInstrumentedPage } from '../helpers/browser.js';
import { englishOnScreen } from '../helpers/english.js';
import { checkConsoleAtAllSizes } from '../helpers/layout.js';
import { waitFor } from '../helpers/poll.js';
import { REPO, startTestServer, type TestServer } from '../helpers/server.js';
import { demoTotpSecret, totpCode } from '../helpers/totp.js';

const run = promisify(execFile);
const text = (page: Page, sel: string) => page.$eval(sel, (el) => (el as HTMLElement).innerText);

describe('console second factor', () => {
  let server: TestServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  beforeAll(async () => {
    server = await startTestServer({ env: { RECORDING: 'off', DEMO_SECOND_FACTOR: 'on' } });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.cleanup();
    await server?.stop();
  });

  /** Types the password, then (if asked) the code; waits for `ready`. */
  const signIn = async (username: string, password: string, code: () => string, ready: string) => {
    const page = await openConsole(browser, server.url, username, password, '[data-testid=second-factor]');
    expect(await text(page, '#factor-title')).toBe('请输入动态口令');
    await page.type('[data-testid=totp-code]', code());
    await page.click('[data-testid=second-factor-button]');
    await page.waitForSelector(ready);
    return page;
  };
  const logout = async (page: Page) => {
    await page.click('[data-testid=logout]');
    await page.waitForSelector('input[name=username]');
  };

  it('a demo administrator needs the code after the password; a wrong code is refused in Chinese', async () => {
    const secret = demoTotpSecret(server.dataDir);
    const page = await openConsole(browser, server.url, 'admin', 'admin-demo', '[data-testid=second-factor]');
    expect(await checkConsoleAtAllSizes(page, 'second-factor-step')).toEqual([]);
    expect(await englishOnScreen(page)).toEqual([]);
    // Codes are made when typed, for the current step: the server takes it during this step and the next (±1),
    // so a slow machine has 30 s or more. (A previous step's code, made before the refusal, expired at the next
    // step boundary: on a loaded machine that came before it was sent, and a right code was refused.)
    const wrong = [-1, 0, 1].map((d) => totpCode(secret, d)).includes('000000') ? '111111' : '000000';
    await page.type('[data-testid=totp-code]', wrong);
    await page.click('[data-testid=second-factor-button]');
    await waitFor('the refusal', async () => (await page.$('[role=alert]')) !== null);
    expect(await text(page, '[role=alert]')).toContain('动态口令不正确');
    await page.type('[data-testid=totp-code]', totpCode(secret, 0));
    await page.click('[data-testid=second-factor-button]');
    await page.waitForSelector('[data-testid=nav-admin]');
    // The users page: no 停用 on one's own row, and the security and audit administrators' rows say where that is done.
    await page.click('[data-testid=nav-admin]');
    await page.waitForSelector('[data-testid=user-secadmin]');
    expect(await page.$$eval('[data-testid=user-admin] button', (bs) => bs.map((b) => b.textContent))).not.toContain('停用');
    for (const who of ['secadmin', 'auditor']) expect(await text(page, `[data-testid=user-${who}] [data-testid=separated-admin]`)).toBe('须在服务器上办理');
    expect(await page.$$eval('[data-testid=user-officer1] button', (bs) => bs.map((b) => b.textContent))).toContain('停用');
    await logout(page);
    await page.close();
  }, 90_000);

  it('a new supervisor enrols by QR code, signs in with a recovery code, ends a session; the security administrator resets it', async () => {
    const env = {
      PATH: process.env['PATH'] ?? '',
      VJ_MODE: 'demo',
      DATA_DIR: server.dataDir,
      ...(server.databaseUrl ? { DATABASE_URL: server.databaseUrl } : {}),
    };
    const made = await run(process.execPath, [path.join(REPO, 'signaling/dist/cli/add-user.js'), 'zhao.sup', '信访室 赵主任', 'county_supervisor'], { env });
    const oneTime = /一次性密码.*：(\S+)$/m.exec(made.stdout)?.[1];
    expect(oneTime).toBeTruthy();
    const password = 'Gu4rd-the-Gate-2';

    // First login: the password, then the enrolment, forced, before any work.
    const page = await openConsole(browser, server.url, 'zhao.sup', oneTime!, '[data-testid=change-password]');
    await page.type('input[name=current-password]', oneTime!);
    await page.type('input[name=new-password]', password);
    await page.type('input[name=new-password-again]', password);
    await page.click('[data-testid=change-password-button]');
    await page.waitForSelector('[data-testid=enrol-second-factor]');
    expect(await text(page, '[data-testid=enrol-second-factor]')).toContain('必须绑定动态口令');
    expect(await page.$('[data-testid=nav-workbench]')).toBeNull();
    await page.type('[data-testid=enrol-password]', 'wrong-password');
    await page.click('[data-testid=enrol-start]');
    await waitFor('the refusal', async () => (await page.$('[role=alert]')) !== null);
    expect(await text(page, '[role=alert]')).toBe('当前密码不正确');
    await page.click('[data-testid=enrol-password]', { clickCount: 3 });
    await page.type('[data-testid=enrol-password]', password);
    await page.click('[data-testid=enrol-start]');
    await page.waitForSelector('[data-testid=enrol-qr]');
    // The QR code is a real picture the phone can scan (decoded and drawn), and the secret is there as text.
    await waitFor('the QR code drawn', () =>
      page.$eval('[data-testid=enrol-qr]', (el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0),
    );
    expect(await checkConsoleAtAllSizes(page, 'second-factor-enrol')).toEqual([]);
    expect(await englishOnScreen(page)).toEqual([]);
    const secret = (await text(page, '[data-testid=enrol-secret]')).replace(/\s+/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await page.type('[data-testid=enrol-code]', totpCode(secret, 0));
    await page.click('[data-testid=enrol-confirm]');
    await page.waitForSelector('[data-testid=recovery-codes]');
    const codes = (await page.$$eval('.recovery-codes code', (els) => els.map((e) => e.textContent ?? ''))).filter(Boolean);
    expect(codes).toHaveLength(10);
    expect(await checkConsoleAtAllSizes(page, 'second-factor-recovery-codes')).toEqual([]);
    expect(await englishOnScreen(page)).toEqual([]);
    await page.click('[data-testid=recovery-codes-done]');
    await page.waitForSelector('[data-testid=nav-workbench]');
    await logout(page);

    // Next login: the phone is not at hand, so a recovery code; it works once.
    await page.type('input[name=username]', 'zhao.sup');
    await page.type('input[name=password]', password);
    await page.click('[data-testid=login-button]');
    await page.waitForSelector('[data-testid=second-factor]');
    await page.click('[data-testid=toggle-recovery]');
    await page.type('[data-testid=recovery-code]', codes[0]!);
    await page.click('[data-testid=second-factor-button]');
    await page.waitForSelector('[data-testid=nav-workbench]');

    // A second login elsewhere (another browser), then "我的账号" shows both; ending the other ends it.
    // The next step's code: later than the one used to enrol (a code is accepted once), and within the window.
    const other = await signIn('zhao.sup', password, () => totpCode(secret, 1), '[data-testid=nav-workbench]');
    // A background tab draws no frames; puppeteer's click waits for one.
    await page.bringToFront();
    await page.click('[data-testid=open-account]');
    await page.waitForSelector('[data-testid=account-view]');
    expect(await text(page, '[data-testid=account-factor]')).toMatch(/已绑定.*剩余恢复码 9 个/);
    await waitFor('two sessions listed', async () => (await page.$$('[data-testid=account-sessions] tbody tr')).length === 2);
    expect(await checkConsoleAtAllSizes(page, 'account')).toEqual([]);
    expect(await englishOnScreen(page)).toEqual([]);
    await page.click('[data-testid=session-other] [data-testid=session-end]');
    await waitFor('the other session gone from the list', async () => (await page.$$('[data-testid=account-sessions] tbody tr')).length === 1);
    // The other browser is signed out (its socket is closed and its token refused).
    await waitFor('the other browser signed out', async () => (await other.$('input[name=username]')) !== null, { timeoutMs: 20_000 });
    expect(await text(other, 'body')).toContain('本次登录已被结束');
    await other.close();
    await page.bringToFront();
    await logout(page);

    // The phone is lost: the security administrator resets the factor, with a reason.
    const demoSecret = demoTotpSecret(server.dataDir);
    const sec = await signIn('secadmin', 'secadmin-demo', () => totpCode(demoSecret, 0), '[data-testid=second-factor-admin]');
    await sec.waitForSelector('[data-testid=factor-user-zhao\\.sup] [data-testid=factor-reset]');
    expect(await englishOnScreen(sec)).toEqual([]);
    await sec.click('[data-testid=factor-user-zhao\\.sup] [data-testid=factor-reset]');
    await sec.type('[data-testid=factor-reset-reason]', '手机遗失，本人电话申请');
    await sec.click('[data-testid=factor-reset-confirm]');
    await sec.waitForSelector('[data-testid=factor-notice]');
    expect(await text(sec, '[data-testid=factor-notice]')).toContain('已重置 信访室 赵主任 的动态口令');
    await waitFor('the row shows it reset', async () => (await text(sec, '[data-testid=factor-user-zhao\\.sup]')).includes('未绑定（必须绑定'));
    await sec.close();

    // The supervisor signs in with the password alone and is made to enrol again.
    const again = await newInstrumentedPage(browser);
    await again.goto(`${server.url}/console/`);
    await again.waitForSelector('input[name=username]');
    await again.type('input[name=username]', 'zhao.sup');
    await again.type('input[name=password]', password);
    await again.click('[data-testid=login-button]');
    await again.waitForSelector('[data-testid=enrol-second-factor]');
    await again.close();
  }, 180_000);
});
