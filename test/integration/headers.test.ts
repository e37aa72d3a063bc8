import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { REPO, startTestServer, type TestServer } from '../helpers/server.js';

function connectSrc(csp: string | null): string[] {
  const directive = (csp ?? '')
    .split(';')
    .map((d) => d.trim().split(/\s+/))
    .find((d) => d[0] === 'connect-src');
  return directive?.slice(1) ?? [];
}

async function headersOf(url: string): Promise<Headers> {
  return (await fetch(url)).headers;
}

let plain: TestServer;
let tls: TestServer;
let publicHttps: TestServer;
let certDir: string;

beforeAll(async () => {
  certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vj-certs-'));
  const r = spawnSync(path.join(REPO, 'scripts', 'make-intranet-cert.sh'), ['127.0.0.1', 'localhost'], {
    env: { ...process.env, CERT_DIR: certDir },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`make-intranet-cert.sh failed: ${r.stderr}`);
  // One after another: three start-ups at once overrun a busy 2-core machine. The plain server runs on the
  // pass's topology (the cluster's front and nodes answer with the same headers as one process); the TLS and
  // public-URL servers stay single processes, since three clusters at once would overrun it too.
  const single = { VJ_TOPOLOGY: 'single-redis' };
  plain = await startTestServer();
  tls = await startTestServer({ env: { ...single, TLS_CERT_FILE: path.join(certDir, 'server.crt'), TLS_KEY_FILE: path.join(certDir, 'server.key') } });
  publicHttps = await startTestServer({ env: { ...single, PUBLIC_URL: 'https://vj.county.example:8443/' } });
}, 400_000);
afterAll(async () => {
  await Promise.all([plain?.stop(), tls?.stop(), publicHttps?.stop()]);
  fs.rmSync(certDir, { recursive: true, force: true });
});

describe('security headers', () => {
  it('CSP connect-src names only this origin: no bare ws:/wss: (any host)', async () => {
    expect(connectSrc((await headersOf(`${plain.url}/api/health`)).get('content-security-policy'))).toEqual(["'self'"]);
    // The apps' pages (or express's own 404 with default-src 'none' when they are not built) allow no other host.
    for (const p of ['/console/', '/kiosk/', '/api/no-such-route']) {
      const csp = (await headersOf(`${plain.url}${p}`)).get('content-security-policy');
      expect(csp, p).toBeTruthy();
      expect(csp, p).not.toMatch(/(^|\s)wss?:(\s|;|$)/);
    }
    const withPublic = connectSrc((await headersOf(`${publicHttps.url}/api/health`)).get('content-security-policy'));
    expect(withPublic).toEqual(["'self'", 'https://vj.county.example:8443', 'wss://vj.county.example:8443']);
    for (const src of withPublic) expect(src).not.toMatch(/^(ws|wss|https?):?$/);
  });

  it('every answer (API, pages, errors) carries the standard set, and plain HTTP is not told to upgrade', async () => {
    for (const p of ['/api/health', '/console/', '/api/no-such-route']) {
      const h = await headersOf(`${plain.url}${p}`);
      expect(h.get('x-content-type-options'), p).toBe('nosniff');
      expect(h.get('referrer-policy'), p).toBe('no-referrer');
      expect(h.get('x-frame-options'), p).toBe('DENY');
      expect(h.get('cross-origin-opener-policy'), p).toBe('same-origin');
      expect(h.get('cross-origin-resource-policy'), p).toBe('same-origin');
      expect(h.get('x-permitted-cross-domain-policies'), p).toBe('none');
      expect(h.get('permissions-policy'), p).toBe('camera=(self), microphone=(self)');
      expect(h.get('x-powered-by'), p).toBeNull();
      // A county on plain HTTP inside its own network: an upgrade would send every request to a port that is not there.
      expect(h.get('content-security-policy'), p).not.toMatch(/upgrade-insecure-requests/);
      expect(h.get('content-security-policy'), p).toMatch(/frame-ancestors 'none'/);
    }
  });

  it('HSTS with TLS on, or an https PUBLIC_URL; none on plain HTTP without one', async () => {
    const hsts = await new Promise<string | undefined>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port: tls.port, path: '/api/health', ca: fs.readFileSync(path.join(certDir, 'county-ca.crt')) }, (res) => {
          res.resume();
          resolve(res.headers['strict-transport-security']);
        })
        .on('error', reject);
    });
    expect(hsts).toMatch(/^max-age=\d{7,}/);
    expect((await headersOf(`${publicHttps.url}/api/health`)).get('strict-transport-security')).toMatch(/^max-age=\d{7,}/);
    expect((await headersOf(`${plain.url}/api/health`)).get('strict-transport-security')).toBeNull();
  });

  it("Chromium lets 'self' open the page's own WebSocket and refuses another host", async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(`${plain.url}/api/health`);
      const port = plain.port;
      const result = await page.evaluate(async (p: number) => {
        const violations: string[] = [];
        document.addEventListener('securitypolicyviolation', (e) => violations.push(e.blockedURI));
        const attempt = (url: string) =>
          new Promise<string>((resolve) => {
            try {
              const ws = new WebSocket(url);
              ws.onopen = () => (ws.close(), resolve('open'));
              ws.onerror = () => resolve('error');
            } catch (err) {
              resolve(`thrown ${(err as Error).name}`);
            }
          });
        const own = await attempt(`ws://127.0.0.1:${p}/socket.io/?EIO=4&transport=websocket`);
        // localhost is another origin than 127.0.0.1, though the same server.
        const other = await attempt(`ws://localhost:${p}/socket.io/?EIO=4&transport=websocket`);
        // The violation event is queued as a task: poll for it (up to 5 s).
        for (let t = 0; t < 100 && violations.length === 0; t++) await new Promise((r) => setTimeout(r, 50));
        return { own, other, violations };
      }, port);
      expect(result.own).toBe('open');
      expect(result.other).not.toBe('open');
      expect(result.violations.some((v) => v.includes(`localhost:${port}`))).toBe(true);
    } finally {
      await browser.cleanup();
    }
  });
});
