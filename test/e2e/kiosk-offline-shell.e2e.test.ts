// Issue 14, point 10: a kiosk page reloaded while the server is down showed Chromium's English error page. The
// kiosk is an offline shell now (kiosk-client/public/sw.js): the reload shows its own Chinese trouble screen,
// and the kiosk comes back by itself when the server does.
import { afterAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { openKiosk, waitForScreen } from '../helpers/apps.js';
import { waitFor } from '../helpers/poll.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('the kiosk as an offline shell', () => {
  const servers: TestServer[] = [];
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  afterAll(async () => {
    await browser?.cleanup();
    // The restarted server shares the first one's database and folder; the first one cleans them up.
    for (const s of servers.reverse()) await s.stop();
  });

  it('a reload during an outage shows the Chinese trouble screen, and the kiosk is back once the server is', async () => {
    const first = await startTestServer();
    servers.push(first);
    browser = await launchBrowser();
    const kiosk = await openKiosk(browser, first.url, first.demoSecrets().kiosks['xingsha']!);
    await waitForScreen(kiosk, 'idle');
    await waitFor('the offline shell controls the page', () => kiosk.evaluate(() => navigator.serviceWorker.controller !== null), { timeoutMs: 20_000 });

    await first.kill();
    await kiosk.reload({ waitUntil: 'domcontentloaded' }).catch(() => undefined);
    await kiosk.waitForSelector('[data-testid=trouble]', { timeout: 20_000 });
    const body = await kiosk.evaluate(() => document.body.innerText);
    expect(body).toMatch(/[\u4e00-\u9fff]/);
    expect(body).not.toMatch(/This site can|ERR_|refused to connect/i);

    // The server comes back on the same address: the kiosk's own retry finds it, with nobody touching it.
    servers.push(await startTestServer({ reuse: { dataDir: first.dataDir, databaseUrl: first.databaseUrl, port: first.port } }));
    await waitForScreen(kiosk, 'idle', 60_000);
  });
});
