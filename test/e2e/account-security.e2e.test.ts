// 等保 session timeout: a console nobody touches logs out after CONSOLE_IDLE_TIMEOUT_S, with a warning first that
// "继续工作" (or any input) takes away. Run with a 12 s timeout so it takes seconds, not 15 minutes.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConsole } from '../helpers/apps.js';
import { launchBrowser } from '../helpers/browser.js';
import { waitFor } from '../helpers/poll.js';
import { REPO, startTestServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);

describe('console account security: idle logout, first-login password', () => {
  let server: TestServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  beforeAll(async () => {
    server = await startTestServer({ env: { CONSOLE_IDLE_TIMEOUT_S: '12', RECORDING: 'off' } });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.cleanup();
    await server?.stop();
  });

  it('warns before, 继续工作 keeps the session, and left alone it logs out and says why', async () => {
    const page = await openConsole(browser, server.url, 'auditor', 'auditor-demo', '[data-testid=audit-view]');
    const warning = () => page.$eval('[data-testid=idle-warning]', (el) => (el as HTMLElement).innerText).catch(() => null);
    const shown = await waitFor('the idle warning', warning, { timeoutMs: 20_000 });
    expect(shown).toMatch(/长时间未操作，\d+ 秒后将自动退出登录/);
    await page.$eval('[data-testid=idle-stay]', (el) => (el as HTMLElement).click());
    await waitFor('the warning gone', async () => (await warning()) === null, { timeoutMs: 5000 });
    expect(await page.$('[data-testid=audit-view]')).not.toBeNull();

    // Left alone now: the warning again, then the login page with the reason, and the old token is dead.
    const token = await page.evaluate(() => (JSON.parse(sessionStorage.getItem('vj.console.login') ?? '{}') as { accessToken?: string }).accessToken);
    expect(token).toBeTruthy();
    await waitFor('logged out', async () => (await page.$('input[name=username]')) !== null, { timeoutMs: 30_000 });
    expect(await page.$eval('body', (el) => (el as HTMLElement).innerText)).toContain('因长时间未操作，已自动退出登录');
    // The console sends its logout as it shows the login page, without waiting for the answer: on a loaded cluster the
    // token can still pass for a moment after the page changed (the server checks the session on every request, so it
    // is refused as soon as the logout is in). Refused within 5 s, or this fails.
    const status = () => fetch(`${server.url}/api/audit`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    await waitFor('the old token refused', async () => (await status()) === 401, { timeoutMs: 5000, intervalMs: 100 });
  }, 90_000);

  it('an account made with users:add must choose its own password first, and the policy is shown as it is typed', async () => {
    const env = {
      PATH: process.env['PATH'] ?? '',
      VJ_MODE: 'demo',
      DATA_DIR: server.dataDir,
      ...(server.databaseUrl ? { DATABASE_URL: server.databaseUrl } : {}),
    };
    const made = await run(process.execPath, [path.join(REPO, 'signaling/dist/cli/add-user.js'), 'wang.audit', '审计员 王', 'audit_admin'], { env });
    const oneTime = /一次性密码.*：(\S+)$/m.exec(made.stdout)?.[1];
    expect(oneTime).toBeTruthy();
    const page = await openConsole(browser, server.url, 'wang.audit', oneTime!, '[data-testid=change-password]');
    expect(await page.$eval('#password-title', (el) => el.textContent)).toBe('请设置您自己的密码');
    await page.type('input[name=current-password]', oneTime!);
    await page.type('input[name=new-password]', 'short');
    expect(await page.$eval('[data-testid=password-problems]', (el) => (el as HTMLElement).innerText)).toContain('至少 10 个字符');
    expect(await page.$eval('[data-testid=change-password-button]', (el) => (el as HTMLButtonElement).disabled)).toBe(true);
    await page.type('input[name=new-password]', '-Gu4rd-Gate');
    await page.type('input[name=new-password-again]', 'short-Gu4rd-Gate');
    await page.waitForFunction(() => !(document.querySelector('[data-testid=change-password-button]') as HTMLButtonElement).disabled);
    await page.click('[data-testid=change-password-button]');
    await page.waitForSelector('[data-testid=audit-view]', { timeout: 15_000 });
    // The new password is the one that works now.
    const again = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'wang.audit', password: 'short-Gu4rd-Gate' }),
    });
    expect(again.status).toBe(200);
  }, 90_000);
});
