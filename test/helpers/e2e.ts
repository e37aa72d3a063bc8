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
    // VJ_SHOW_SERVER_LOGS=1 for the usual lines, or a regular expression of your own.
    const show = process.env['VJ_SHOW_SERVER_LOGS'];
    const pick =
      show === '1'
        ? /"level":"(warn|error)"|socket (dis)?connected|call (started|answered)|session ended|event refused|request/
        : show
          ? new RegExp(show)
          : undefined;
    if (pick) console.log(server?.logs.filter((l) => pick.test(l)).join('\n'));
    await browser?.cleanup();
    await server?.stop();
  });
  return { server: () => server!, browser: () => browser! };
}
