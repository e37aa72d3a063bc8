import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientEvents, type ClientEvent } from '@vj/shared';
import { ROUTES, type RouteKey } from '../../signaling/src/http/access.js';
import { api } from '../helpers/api.js';
import { PNG, kioskToken, loginAll, petitionBody, randomIdCard, transition, upload, type Logins } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';
import { connect, send } from '../helpers/sockets.js';

// Unique strings in every identity field (and an attachment's name and bytes): none may surface in anything a
// township role receives, in the logs, or in a dump of the database.
const tag = randomBytes(4).toString('hex').toUpperCase();
const canary = {
  name: `CANARY-NAME-${tag}`,
  idCard: randomIdCard(),
  phone: `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`,
  address: `CANARY-ADDR-${tag}`,
  village: `CANARY-VIL-${tag}`,
  filename: `CANARY-FILE-${tag}.png`,
  fileBytes: `CANARY-BYTES-${tag}`,
};
const canaries = Object.values(canary);
const found = (text: string) => canaries.filter((c) => text.includes(c));

let s: InProcessServer;
let logins: Logins;
const petitions: string[] = [];
let receipt: { caseCode: string; pin: string };
const townshipSaw: string[] = [];

beforeAll(async () => {
  s = await startInProcess();
  logins = await loginAll(s.url);
  const officer = logins['officer1']!.accessToken;
  for (const township of ['xingsha', 'langli', 'xingsha']) {
    const b = petitionBody(township, { name: canary.name, idCard: canary.idCard, phone: canary.phone, address: canary.address, village: canary.village });
    const r = await api<{ caseCode: string; pin: string }>(s.url, 'POST', '/api/petitions', { token: officer, body: b });
    expect(r.status).toBe(200);
    receipt ??= r.body;
    expect((await transition(s.url, officer, b.id, { action: 'refer' })).status).toBe(200);
    const file = Buffer.concat([PNG, Buffer.from(canary.fileBytes)]);
    expect((await upload(s.url, officer, b.id, randomUUID(), file, 'image/png', canary.filename)).status).toBe(200);
    petitions.push(b.id);
  }
});
afterAll(async () => s?.stop());

describe('canaries in identity fields', () => {
  it('are really stored: the audited county reveal returns them (positive control)', async () => {
    const r = await api<{ identity: Record<string, string> }>(s.url, 'POST', `/api/petitions/${petitions[0]}/reveal`, {
      token: logins['supervisor']!.accessToken,
      body: { reason: '复核信访人身份' },
    });
    expect(r.status).toBe(200);
    expect(found(JSON.stringify(r.body))).toEqual([canary.name, canary.idCard, canary.phone, canary.address, canary.village]);
  });

  it('never reach a township role: every route and socket event, own and other township, success and error', async () => {
    for (const who of ['xingsha-handler', 'langli-handler', 'xingsha-staff']) {
      const token = logins[who]!.accessToken;
      for (const key of Object.keys(ROUTES) as RouteKey[]) {
        if (key === 'POST /api/auth/logout') continue; // would end this login; covered by the matrix
        const [method, pattern] = key.split(' ') as [string, string];
        for (const id of [...petitions, randomUUID(), 'not-a-uuid']) {
          const p = pattern.replace(':attachmentId', randomUUID()).replace(':id', id);
          const r = await api(s.url, method, p, {
            token,
            body: method === 'GET' ? undefined : { reason: '查看', caseCode: receipt.caseCode, pin: receipt.pin },
          });
          townshipSaw.push(JSON.stringify(r.body));
        }
      }
      const socket = await connect(s.url, token);
      socket.onAny((event, payload) => townshipSaw.push(`${event} ${JSON.stringify(payload)}`));
      for (const event of Object.keys(clientEvents) as ClientEvent[]) {
        for (const id of petitions) townshipSaw.push(JSON.stringify(await send(socket, event, { sessionId: id, requestId: id, token })));
      }
      socket.close();
    }
    const cases = await api<{ items: unknown[] }>(s.url, 'GET', '/api/township/cases', { token: logins['xingsha-handler']!.accessToken });
    expect(cases.body.items).toHaveLength(2); // the township really sees its referred cases, just not who sent them
    expect(townshipSaw.length).toBeGreaterThan(200);
    expect(found(townshipSaw.join('\n'))).toEqual([]);
  });

  it('never reach the villager-facing receipt lookup', async () => {
    const kiosk = await kioskToken(s.url, s.server.demo!.kiosks['xingsha']!);
    const r = await api(s.url, 'POST', '/api/receipts/lookup', { token: kiosk, body: receipt });
    expect(r.status).toBe(200);
    expect(found(JSON.stringify(r.body))).toEqual([]);
  });

  it('never reach the application logs, county activity included', () => {
    expect(s.logs.length).toBeGreaterThan(50);
    expect(found(s.logs.join('\n'))).toEqual([]);
  });

  it('never reach the database in plaintext (pg_dump, or the embedded database files)', async () => {
    let dump: string;
    if (s.databaseUrl) {
      const r = spawnSync('pg_dump', ['--no-owner', s.databaseUrl], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
      expect(r.status, r.stderr).toBe(0);
      dump = r.stdout;
      expect(dump).toContain('CREATE TABLE public.petition_identity');
    } else {
      // PGlite has no pg_dump; read every byte it keeps on disk instead, after a clean close.
      const dir = path.join(s.dataDir, 'pglite');
      await s.server.close();
      const files: string[] = [];
      const walk = (d: string) =>
        fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : files.push(path.join(d, e.name))));
      walk(dir);
      dump = files.map((f) => fs.readFileSync(f).toString('latin1') + fs.readFileSync(f).toString('utf8')).join('\n');
      expect(dump).toContain('petition_identity');
    }
    expect(dump).toContain(receipt.caseCode); // the dump holds the petitions, just not their petitioners
    expect(found(dump)).toEqual([]);
  });
});
