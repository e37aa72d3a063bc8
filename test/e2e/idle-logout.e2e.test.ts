// 等保 session timeout: a console nobody touches logs out after CONSOLE_IDLE_TIMEOUT_S, with a warning first that
// "继续工作" (or any input) takes away. Run with a 12 s timeout so it takes seconds, not 15 minutes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConsole } from '../helpers/apps.js';
import { launchBrowser } from '../helpers/browser.js';
import { waitFor } from '../helpers/poll.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('console idle logout', () => {
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
    const res = await fetch(`${server.url}/api/audit`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
  }, 90_000);
});
