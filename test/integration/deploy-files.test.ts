// Topology: pinned — the deployment files, and one embedded server behind TLS.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import https from 'node:https';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { REPO, startTestServer } from '../helpers/server.js';

describe('deployment files', () => {
  it('docker-compose.yml validates offline and publishes the RTC UDP range', () => {
    const r = spawnSync('docker-compose', ['-f', path.join(REPO, 'docker-compose.yml'), 'config'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    // docker-compose expands the range into one entry per port.
    // Debian's docker-compose lists the "scale" profile's SFU ranges too (40200 and up): look at the app's.
    const udp = [...r.stdout.matchAll(/protocol: udp\n\s+published: (\d+)/g)].map((m) => Number(m[1])).filter((p) => p < 40200);
    expect(udp).toHaveLength(200);
    expect([Math.min(...udp), Math.max(...udp)]).toEqual([40000, 40199]);
    for (const svc of ['postgres:', 'redis:', 'app:', 'migrate:']) expect(r.stdout).toContain(svc);
    expect(r.stdout).toContain('VJ_TOPOLOGY: single-redis');
    // The server connects as the restricted role; only the one-shot migrate service uses the owner.
    expect(r.stdout).toContain('DATABASE_APP_ROLE: vj_app');
    expect(r.stdout).toMatch(/DATABASE_URL: postgres:\/\/vj_app:/);
    expect(r.stdout).not.toMatch(/DATABASE_URL: postgres:\/\/vj:/);
  });

  it('the "scale" profile validates offline: 2 signaling + 2 SFU nodes on Redis, each SFU node with its own UDP range', () => {
    const r = spawnSync('docker-compose', ['--profile', 'scale', '-f', path.join(REPO, 'docker-compose.yml'), 'config'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    for (const svc of ['sfu-a:', 'sfu-b:', 'sig-a:', 'sig-b:', 'lb:']) expect(r.stdout).toContain(svc);
    expect(r.stdout.match(/VJ_TOPOLOGY: cluster/g)).toHaveLength(2);
    expect(r.stdout).not.toContain('SFU_MODE');
    const udp = [...r.stdout.matchAll(/protocol: udp\n\s+published: (\d+)/g)].map((m) => Number(m[1]));
    expect(udp.filter((p) => p >= 40200 && p <= 40299)).toHaveLength(100);
    expect(udp.filter((p) => p >= 40300 && p <= 40399)).toHaveLength(100);
  });

  it('the "turn" profile validates offline: coturn on the host network, built with Debian\'s coturn, no relay unless configured', () => {
    const r = spawnSync('docker-compose', ['--profile', 'turn', '-f', path.join(REPO, 'docker-compose.yml'), 'config'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\n {2}coturn:\n/);
    expect(r.stdout).toContain('network_mode: host');
    expect(r.stdout).toMatch(/WITH_TURN: '1'/);
    expect(r.stdout).toContain('signaling/dist/cli/turn-server.js');
    // The app gets the same TURN settings, empty (off) unless the deployment sets them.
    expect(r.stdout.match(/TURN_URLS: ''/g)?.length).toBeGreaterThanOrEqual(2);
    // Only with the profile (Debian's docker-compose lists profile services either way; `up` starts them only so).
    expect(r.stdout).toMatch(/\n {2}coturn:\n(?: {4}.*\n)*? {4}profiles:\n {4}- turn\n/);
  });

  it('.ci/run requires the real services and runs the README test command', () => {
    const ci = fs.readFileSync(path.join(REPO, '.ci', 'run'), 'utf8');
    expect(ci).toContain('VJ_REQUIRE_SERVICES=1');
    expect(ci).toMatch(/^npm test$/m);
  });
});

describe('HTTPS for kiosk PCs on the intranet', () => {
  it('the cert script makes a CA and a server certificate the server runs with, trusted through that CA', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vj-certs-'));
    const r = spawnSync(path.join(REPO, 'scripts', 'make-intranet-cert.sh'), ['127.0.0.1', 'localhost'], {
      env: { ...process.env, CERT_DIR: dir },
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const server = await startTestServer({ embedded: true, env: { TLS_CERT_FILE: path.join(dir, 'server.crt'), TLS_KEY_FILE: path.join(dir, 'server.key') } });
    try {
      const port = new URL(server.url).port;
      const body = await new Promise<string>((resolve, reject) => {
        https
          .get({ host: '127.0.0.1', port, path: '/api/health', ca: fs.readFileSync(path.join(dir, 'county-ca.crt')) }, (res) => {
            let data = '';
            res.on('data', (c: Buffer) => (data += c.toString()));
            res.on('end', () => resolve(data));
          })
          .on('error', reject);
      });
      expect(JSON.parse(body)).toMatchObject({ status: 'ok' });
    } finally {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
