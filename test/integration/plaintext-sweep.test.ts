import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/api.js';
import { loginAll, type Logins } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';
import { NOTHING_LEFT, plaintextLeftovers } from '../helpers/plaintext.js';
import { waitFor } from '../helpers/poll.js';
import { freePort } from '../helpers/ports.js';
import { encodeClip } from '../helpers/rtp.js';
import { recordedCall } from '../helpers/rtp-call.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import type { TestSocket } from '../helpers/sockets.js';

// Playback decrypts a recording to join it. These tests look for that plaintext (any Matroska/WebM file) under
// DATA_DIR and in the server's RAM scratch folders after a served playback, after a failed one, and after the
// server is killed mid-assembly and started again; and for recorder segments a crash left in the work folder.

let s: InProcessServer;
let logins: Logins;
let recordingId: string;
const clip = path.join(os.tmpdir(), 'vj-recording-clip.webm');
const senders: ChildProcess[] = [];
const sockets: TestSocket[] = [];
const children: TestServer[] = [];
const toolDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vj-fake-ffmpeg-'));
const realFfmpeg = spawnSync('sh', ['-c', 'command -v ffmpeg'], { encoding: 'utf8' }).stdout.trim();

/** A folder holding an `ffmpeg` that stands in for the real one, first on PATH. */
function fakeFfmpeg(name: string, script: string): string {
  const dir = path.join(toolDir, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'ffmpeg'), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  return dir;
}

async function grantUrl(url: string, token: string): Promise<string> {
  const r = await api<{ url: string }>(url, 'POST', `/api/recordings/${recordingId}/playback`, { token });
  expect(r.status).toBe(200);
  return r.body.url;
}

beforeAll(async () => {
  expect(realFfmpeg).not.toBe('');
  encodeClip(clip);
  s = await startInProcess();
  logins = await loginAll(s.url, ['officer1']);
  const call = await recordedCall(s, 'xingsha', clip);
  senders.push(...call.senders);
  sockets.push(call.kiosk);
  recordingId = call.recordingId;
});

afterAll(async () => {
  for (const p of senders) p.kill('SIGKILL');
  for (const k of sockets) k.close();
  for (const c of children) await c.stop().catch(() => {});
  // The stand-in ffmpeg of the kill test sleeps; it wrote its pid so it does not outlive the test.
  for (const line of fs.existsSync(path.join(toolDir, 'pids')) ? fs.readFileSync(path.join(toolDir, 'pids'), 'utf8').split('\n') : []) {
    if (/^\d+$/.test(line)) {
      try {
        process.kill(Number(line), 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  fs.rmSync(toolDir, { recursive: true, force: true });
  // Should a test fail between the kill and the restart, its RAM scratch would outlive the deleted DATA_DIR.
  if (s) for (const dir of plaintextLeftovers(s.dataDir).scratchFolders) fs.rmSync(dir, { recursive: true, force: true });
  await s?.stop();
});

describe('decrypted recordings do not outlive their request', () => {
  it('after a playback is served (whole file and byte ranges), no decrypted file is left on disk or in RAM', async () => {
    expect(plaintextLeftovers(s.dataDir)).toEqual(NOTHING_LEFT);
    const url = await grantUrl(s.url, logins['officer1']!.accessToken);
    const whole = await fetch(`${s.url}${url}`);
    expect(whole.status).toBe(200);
    const bytes = Buffer.from(await whole.arrayBuffer());
    expect(bytes.subarray(0, 4).toString('hex')).toBe('1a45dfa3'); // the detector below recognises what playback makes
    for (const range of ['bytes=0-99', 'bytes=100-199', `bytes=${bytes.length - 50}-`]) {
      const part = await fetch(`${s.url}${url}`, { headers: { range } });
      expect(part.status).toBe(206);
      await part.arrayBuffer();
    }
    expect(plaintextLeftovers(s.dataDir)).toEqual(NOTHING_LEFT);
    // Seeking was served from memory: the recording was assembled once for this grant.
    const playbackId = /playback\/([0-9a-f-]{36})/.exec(url)![1]!;
    expect(s.logs.filter((l) => l.includes('playback assembled') && l.includes(playbackId))).toHaveLength(1);
  });

  it('when assembly fails, the decrypted segments and joined tracks are removed as well', async () => {
    // The final mux (the only ffmpeg run with -itsoffset) fails; the per-track joins before it succeed.
    const failing = fakeFfmpeg('fail-mux', `case "$*" in *-itsoffset*) exit 1;; esac\nexec "${realFfmpeg}" "$@"`);
    const url = await grantUrl(s.url, logins['officer1']!.accessToken);
    const saved = process.env['PATH'];
    process.env['PATH'] = `${failing}:${saved ?? ''}`;
    try {
      const r = await fetch(`${s.url}${url}`);
      expect(r.status).toBe(500);
      await r.arrayBuffer();
    } finally {
      process.env['PATH'] = saved;
    }
    expect(plaintextLeftovers(s.dataDir)).toEqual(NOTHING_LEFT);
    // Nothing of the failure was kept: the same grant plays once ffmpeg works again.
    const ok = await fetch(`${s.url}${url}`);
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
    expect(plaintextLeftovers(s.dataDir)).toEqual(NOTHING_LEFT);
  });

  it('a server killed (SIGKILL) mid-assembly, with recorder segments left in its work folder, leaves no plaintext once restarted', async () => {
    await s.server.close(); // the data and database stay for the built server below
    // ffmpeg that never finishes: the server is killed while the decrypted segments wait for it.
    const pids = path.join(toolDir, 'pids');
    const stuck = fakeFfmpeg('stuck', `echo $$ >> "${pids}"\nsleep 120\nexit 1`);
    const port = await freePort();
    const reuse = { dataDir: s.dataDir, databaseUrl: s.databaseUrl, port };
    const first = await startTestServer({ reuse, env: { PATH: `${stuck}:${process.env['PATH'] ?? ''}` } });
    children.push(first);
    const token = (await loginAll(first.url, ['officer1']))['officer1']!.accessToken;
    const url = await grantUrl(first.url, token);
    void fetch(`${first.url}${url}`).catch(() => undefined); // never answers: the server dies first
    const during = await waitFor('decrypted segments being assembled', () => {
      const found = plaintextLeftovers(s.dataDir).mediaFiles;
      return found.length ? found : undefined;
    });
    // While it lasts, the plaintext lives in RAM (when the host has it), not under DATA_DIR.
    if (fs.existsSync('/dev/shm')) expect(during.filter((f) => f.startsWith(s.dataDir))).toEqual([]);
    await first.kill();
    // The same crash also left a recorder's plaintext segment behind, as one after a recording closed but before
    // its work folder went would.
    const leftover = path.join(s.dataDir, 'recordings-work', recordingId, randomUUID(), 'seg-00042.mkv');
    fs.mkdirSync(path.dirname(leftover), { recursive: true });
    fs.copyFileSync(clip, leftover);
    const afterKill = plaintextLeftovers(s.dataDir);
    expect(afterKill.mediaFiles).toEqual(expect.arrayContaining([...during, leftover])); // the crash did leave plaintext: the restart must remove it

    const second = await startTestServer({ reuse });
    children.push(second);
    expect(plaintextLeftovers(s.dataDir)).toEqual(NOTHING_LEFT);
    expect(second.logs.some((l) => l.includes('decrypted playback leftovers removed at start-up'))).toBe(true);
    expect(second.logs.some((l) => l.includes('recordings reconciled after an unclean stop') && l.includes('"plaintextRemoved":1'))).toBe(true);
    // The server still plays the recording after its sweep.
    const token2 = (await loginAll(second.url, ['officer1']))['officer1']!.accessToken;
    const ok = await fetch(`${second.url}${await grantUrl(second.url, token2)}`);
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
    expect(plaintextLeftovers(s.dataDir)).toEqual(NOTHING_LEFT);
  });
});
