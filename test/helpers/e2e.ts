import { afterAll, beforeAll } from 'vitest';
import { launchBrowser } from './browser.js';
import { startTestServer, type TestServer } from './server.js';

/** One server and one Chromium for a test file, torn down after it; read them through the getters. */
export function useServerAndBrowser(): { server: () => TestServer; browser: () => Awaited<ReturnType<typeof launchBrowser>> } {
  let server: TestServer | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    if (process.env['VJ_SHOW_SERVER_LOGS']) console.log(server?.logs.filter((l) => /"level":"(warn|error)"|socket (dis)?connected|call (started|answered)|session ended|event refused|request/.test(l)).join('\n'));
    await browser?.cleanup();
    await server?.stop();
  });
  return { server: () => server!, browser: () => browser! };
}
