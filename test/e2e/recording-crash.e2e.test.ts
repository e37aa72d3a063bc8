// Topology: pinned — a crash of the one process while it finalizes a recording, and the reconciliation at its next
// start; a cluster node joining does not reconcile recordings (README, what is still per node).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { api, loginToken } from '../helpers/api.js';
import { callAndAnswer, consoleAndIdleKiosk } from '../helpers/apps.js';
import { expectMediaFlowing, launchBrowser } from '../helpers/browser.js';
import { waitFor } from '../helpers/poll.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

type Recording = { id: string; status: string; segments: { seq: number }[] } | null;

/** Recorder processes still writing into this server's data directory. */
function recordersOf(dataDir: string): number {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        return cmd.startsWith('ffmpeg\0') && cmd.includes(dataDir);
      } catch {
        return false;
      }
    }).length;
}

describe('recording across a server crash', () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers.reverse()) await s.stop();
  });

  it('killing the server while a recording finalizes, then restarting it, leaves 0 orphans, checked both ways', async () => {
    const first = await startTestServer({ env: { RECONNECT_GRACE_S: '5' } });
    servers.push(first);
    const browser = await launchBrowser();
    let sessionId = '';
    try {
      const room = 'huanghua';
      const { consolePage, kiosk } = await consoleAndIdleKiosk(browser, first.url, first.demoSecrets().kiosks[room]!, room);
      await callAndAnswer(kiosk, consolePage, room);
      await expectMediaFlowing(consolePage, waitFor, 'console receives kiosk');
      const token = await loginToken(first.url, 'officer2', 'officer2-demo');
      const rooms = await api<{ rooms: { code: string; sessionId: string | null }[] }>(first.url, 'GET', '/api/rooms', { token });
      sessionId = rooms.body.rooms.find((r) => r.code === room)!.sessionId!;
      await waitFor(
        'segments stored',
        async () =>
          ((await api<{ recording: Recording }>(first.url, 'GET', `/api/sessions/${sessionId}/recording`, { token })).body.recording?.segments.length ?? 0) >=
          4,
        {
          timeoutMs: 20_000,
        },
      );
      expect(recordersOf(first.dataDir)).toBeGreaterThan(0);
      // Hang up — the recorder starts finalizing — and kill the server at once.
      await consolePage.click('[data-testid=hangup-button]');
      await waitFor('the recorder finalizing', () => first.logs.some((l) => l.includes('recording finalizing')), { intervalMs: 5 });
      await first.kill();
      expect(first.logs.some((l) => l.includes('recording finished'))).toBe(false); // killed before it was done
    } finally {
      await browser.cleanup();
    }

    const second = await startTestServer({ reuse: { dataDir: first.dataDir, databaseUrl: first.databaseUrl, port: first.port } });
    servers.push(second);
    expect(recordersOf(first.dataDir)).toBe(0); // recorders the crash left behind were stopped
    const token = await loginToken(second.url, 'supervisor', 'supervisor-demo');
    const rec = (await api<{ recording: Recording }>(second.url, 'GET', `/api/sessions/${sessionId}/recording`, { token })).body.recording!;
    expect(['complete', 'interrupted']).toContain(rec.status);
    const dir = path.join(first.dataDir, 'recordings', rec.id);
    const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    expect(files.filter((f) => !f.endsWith('.enc'))).toEqual([]); // no half-written temporaries
    expect(files.length).toBe(rec.segments.length); // no file without a row…
    const verdict = await api<{ ok: boolean; segments: number }>(second.url, 'GET', `/api/recordings/${rec.id}/verify`, { token });
    expect(verdict.body).toMatchObject({ ok: true, segments: rec.segments.length }); // …and no row without its file, hashes matching
    expect(fs.existsSync(path.join(first.dataDir, 'recordings-work', rec.id))).toBe(false); // no plaintext left
    console.log(`recording after crash: ${rec.status}, ${rec.segments.length} segments, all accounted for`);
  });
});
