// A township firewall that lets out only TLS to port 443, as to a web server: the kiosk reaches the county's TURN
// relay (Debian's coturn, configured by the product's own writer) over TLS, with a certificate from the county's
// intranet CA (scripts/make-intranet-cert.sh) that the kiosk PC trusts. The kiosk page may use relay candidates only.
// A browser that does not trust that CA gets no relay at all: the certificate is checked, not waved through.
import { spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callAndAnswer, openConsole, tileState, waitForScreen } from '../helpers/apps.js';
import { elementStats, forceRelayOnly, launchBrowser, newInstrumentedPage, selectedPairs } from '../helpers/browser.js';
import { waitFor } from '../helpers/poll.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { gatherRelay } from '../helpers/turn-client.js';
import { startTurnServer, type TurnServer } from '../helpers/turn-server.js';

describe('a kiosk that reaches the county only through the TURN relay over TLS', () => {
  const secret = randomBytes(36).toString('base64');
  const certs = fs.mkdtempSync(path.join(os.tmpdir(), 'vj-turn-certs-'));
  let turn: TurnServer;
  let server: TestServer;
  let trusting: Awaited<ReturnType<typeof launchBrowser>>;
  beforeAll(async () => {
    const made = spawnSync('bash', [path.resolve('scripts/make-intranet-cert.sh'), '127.0.0.1'], {
      env: { ...process.env, CERT_DIR: certs },
      encoding: 'utf8',
    });
    if (made.status !== 0) throw new Error(`make-intranet-cert.sh failed: ${made.stderr}`);
    turn = await startTurnServer(secret, { tls: { certFile: path.join(certs, 'server.crt'), keyFile: path.join(certs, 'server.key') } });
    server = await startTestServer({ env: { TURN_URLS: turn.url, TURN_SECRET: secret } });
    trusting = await launchBrowser({ trustCa: path.join(certs, 'county-ca.crt') });
  });
  afterAll(async () => {
    await trusting?.cleanup();
    await server?.stop();
    await turn?.stop();
    fs.rmSync(certs, { recursive: true, force: true });
  });

  it('connects through coturn over TLS with the intranet CA trusted, and the officer sees and hears the villager', async () => {
    expect(turn.url).toMatch(/^turns:127\.0\.0\.1:\d+\?transport=tcp$/);
    const consolePage = await openConsole(trusting, server.url, 'officer1', 'officer1-demo');
    const kiosk = await newInstrumentedPage(trusting);
    await forceRelayOnly(kiosk);
    await kiosk.goto(`${server.url}/kiosk/#device=${server.demoSecrets().kiosks['xingsha']}`);
    await waitForScreen(kiosk, 'idle');
    await waitFor('console shows the kiosk online', async () => (await tileState(consolePage, 'xingsha')) === 'online');
    const allocationsBefore = turn.allocations();
    await callAndAnswer(kiosk, consolePage, 'xingsha');
    const answered = performance.now();
    await waitFor(
      'the officer sees and hears the villager',
      async () => {
        const s = await elementStats(consolePage, 'remote-video');
        return (s.videoFramesDecoded > 5 && s.audioPacketsReceived > 10) || undefined;
      },
      { timeoutMs: 30_000 },
    );
    const ms = performance.now() - answered;
    const pairs = await waitFor('the kiosk to report both selected connections', async () => {
      const p = await selectedPairs(kiosk);
      return p.length >= 2 ? p : undefined;
    });
    // Both of the kiosk's transports run over a relay reached over TLS.
    for (const p of pairs) expect({ type: p.local.type, relayProtocol: p.local.relayProtocol }).toEqual({ type: 'relay', relayProtocol: 'tls' });
    expect(turn.allocations()).toBeGreaterThan(allocationsBefore);
    await consolePage.click('[data-testid=hangup-button]');
    await kiosk.bringToFront();
    await waitForScreen(kiosk, 'ended');
    console.log(`TURN over TLS: the officer's first frames ${Math.round(ms)} ms after answering`);
  });

  it('gives no relay to a browser that does not trust the intranet CA', async () => {
    const untrusting = await launchBrowser();
    try {
      const page = await untrusting.newPage();
      await page.goto(`${server.url}/api/health`);
      // A good credential, as the server would give it: only the certificate is wrong for this browser.
      const username = `${Math.floor(Date.now() / 1000) + 600}:${randomBytes(16).toString('base64url')}`;
      const credential = createHmac('sha1', secret).update(username).digest('base64');
      const gathered = await gatherRelay(page, turn.url, username, credential);
      expect(gathered.state).toBe('complete');
      expect(gathered.types).not.toContain('relay');
      // 701: Chromium could not establish the connection to the relay (the TLS handshake failed on the certificate).
      expect(gathered.errors).toContain(701);
    } finally {
      await untrusting.cleanup();
    }
  });
});
