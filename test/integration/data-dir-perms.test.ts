// Topology: pinned — the embedded database's files and DATA_DIR's modes; a cluster runs on a PostgreSQL server.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/api.js';
import { loginAll } from '../helpers/fixtures.js';
import { freePort } from '../helpers/ports.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// DATA_DIR holds the embedded database, whose WAL carries case codes and narratives in the clear: another local
// user must not read a byte of it. The built server (node signaling/dist/main.js) on embedded PGlite is checked
// after it starts, and again after files were deliberately opened up while it was stopped.

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vj-perms-'));
const servers: TestServer[] = [];

/** Every file and folder under `root` that group or others may use, with its mode. */
function openToOthers(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      const st = fs.lstatSync(full);
      if (st.isSymbolicLink()) continue;
      if (st.mode & 0o077) found.push(`${path.relative(root, full)} ${(st.mode & 0o777).toString(8)}`);
      if (st.isDirectory()) walk(full);
    }
  };
  walk(root);
  return found;
}

const modeOf = (p: string) => fs.statSync(p).mode & 0o777;

async function start(): Promise<TestServer> {
  // Embedded PGlite (no databaseUrl), whatever the run's DATABASE_URL: its files are what the review read.
  const s = await startTestServer({ reuse: { dataDir, databaseUrl: undefined, port: await freePort() } });
  servers.push(s);
  return s;
}

afterAll(async () => {
  for (const s of servers) await s.stop().catch(() => {});
  fs.rmSync(dataDir, { recursive: true, force: true });
});

// Two PGlite starts (an initdb among them) per test: slow on a busy machine.
describe('DATA_DIR is private to the server user', { timeout: 240_000 }, () => {
  it('after start DATA_DIR is 0700 and no file or folder in it is open to group or others, also after writes', async () => {
    // As an older install left it: the database made by PGlite (its initdb chmods most files 0666), DATA_DIR 0755.
    const { PGlite } = await import('@electric-sql/pglite');
    const pg = await PGlite.create({ dataDir: path.join(dataDir, 'pglite') });
    await pg.close();
    fs.chmodSync(dataDir, 0o755);
    expect(openToOthers(dataDir).length).toBeGreaterThan(100);
    const s = await start();
    expect(modeOf(dataDir).toString(8)).toBe('700');
    expect(fs.existsSync(path.join(dataDir, 'pglite', 'pg_wal'))).toBe(true);
    expect(openToOthers(dataDir)).toEqual([]);
    // Writes after start (a login writes its session, the WAL grows) create files private too (umask 077).
    const logins = await loginAll(s.url, ['officer1', 'supervisor']);
    expect((await api(s.url, 'GET', '/api/petitions', { token: logins['officer1']!.accessToken })).status).toBe(200);
    expect(openToOthers(dataDir)).toEqual([]);
    await s.stop();
  });

  it('files and folders opened up while the server was stopped are repaired at the next start, and the repair is logged by count only', async () => {
    const wal = path.join(dataDir, 'pglite', 'pg_wal');
    const walFile = fs.readdirSync(wal).find((f) => /^[0-9A-F]{24}$/.test(f))!;
    expect(walFile).toBeTruthy();
    fs.chmodSync(path.join(wal, walFile), 0o666);
    fs.chmodSync(path.join(dataDir, 'demo-secrets.json'), 0o644);
    fs.chmodSync(path.join(dataDir, 'pglite'), 0o755);
    fs.chmodSync(dataDir, 0o777);
    expect(openToOthers(dataDir).length).toBeGreaterThanOrEqual(3);

    const s = await start();
    expect(modeOf(dataDir).toString(8)).toBe('700');
    expect(modeOf(path.join(wal, walFile)).toString(8)).toBe('600');
    expect(modeOf(path.join(dataDir, 'demo-secrets.json')).toString(8)).toBe('600');
    expect(modeOf(path.join(dataDir, 'pglite')).toString(8)).toBe('700');
    expect(openToOthers(dataDir)).toEqual([]);
    const line = s.logs.find((l) => l.includes('data directory permissions repaired') && l.includes('"stage":"start"'));
    expect(line).toBeDefined();
    const logged = JSON.parse(line!) as { repaired: number };
    expect(logged.repaired).toBeGreaterThanOrEqual(4);
    expect(line).not.toContain(dataDir); // counts, never paths
    await s.stop();
  });
});
