// 等保: every audit row also goes to a syslog collector (RFC 5424 over TCP), and a collector that is down neither
// slows an audited action nor loses a row: the backlog is sent, in order, when it is back.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/api.js';
import { DEMO_PASSWORDS, petitionBody, transition } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/poll.js';
import { freePort, startTestServer, type TestServer } from '../helpers/server.js';

/** A collector: parses octet-counted frames (RFC 6587) into RFC 5424 messages. */
function collector(port: number) {
  const messages: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    let buf = Buffer.alloc(0);
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const sp = buf.indexOf(0x20);
        if (sp < 0) break;
        const len = Number(buf.subarray(0, sp).toString());
        if (buf.length < sp + 1 + len) break;
        messages.push(buf.subarray(sp + 1, sp + 1 + len).toString('utf8'));
        buf = buf.subarray(sp + 1 + len);
      }
    });
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  });
  return {
    messages,
    listen: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const seqOf = (m: string) => Number(/ seq="(\d+)"/.exec(m)?.[1] ?? NaN);

describe('audit rows to a syslog collector', () => {
  let s: TestServer;
  let port: number;
  let c: ReturnType<typeof collector>;
  beforeAll(async () => {
    port = await freePort();
    c = collector(port);
    await c.listen();
    s = await startTestServer({ env: { RECORDING: 'off', AUDIT_SYSLOG: `tcp://127.0.0.1:${port}` } });
  });
  afterAll(async () => {
    await c?.stop().catch(() => {});
    await s?.stop();
  });

  const login = async (who: string) => {
    const t0 = Date.now();
    const r = await api(s.url, 'POST', '/api/auth/login', { body: { username: who, password: DEMO_PASSWORDS[who] } });
    expect(r.status).toBe(200);
    return Date.now() - t0;
  };
  const newest = async () => {
    const token = (await api<{ accessToken: string }>(s.url, 'POST', '/api/auth/login', { body: { username: 'auditor', password: 'auditor-demo' } })).body
      .accessToken;
    return Number((await api<{ items: { seq: string }[] }>(s.url, 'GET', '/api/audit?limit=1', { token })).body.items[0]!.seq);
  };

  it('sends every row as RFC 5424 with ids only; a collector down for a while gets the backlog in order, and logins stay fast', async () => {
    for (const who of ['officer1', 'supervisor']) await login(who);
    let head = await newest();
    await waitFor('rows reach the collector', () => c.messages.some((m) => seqOf(m) >= head), { timeoutMs: 20_000 });
    const first = c.messages[0]!;
    expect(first).toMatch(
      /^<110>1 \d{4}-\d{2}-\d{2}T[\d:.]+Z \S+ shipin-jiefang \d+ audit \[vj@32473 seq="1" action="[a-z_.]+" suite="\w+" hash="[0-9a-f]{64}"\] \{/,
    );

    const before = Math.max(...c.messages.map(seqOf));
    await c.stop();
    const slow: number[] = [];
    for (const who of ['officer2', 'xingsha-handler', 'officer1', 'supervisor']) slow.push(await login(who));
    head = await newest();
    // Audited actions do not wait for the collector.
    expect(Math.max(...slow)).toBeLessThan(5000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(c.messages.some((m) => seqOf(m) > head - 3)).toBe(false);

    c.messages.length = 0;
    await c.listen();
    await waitFor('the backlog arrives', () => c.messages.some((m) => seqOf(m) >= head), { timeoutMs: 30_000 });
    // Nothing skipped: the first message after the outage continues where the collector left off, and every
    // sequence number up to the head arrives, in order.
    const got = c.messages.map(seqOf);
    expect(got[0]).toBeLessThanOrEqual(before + 1);
    expect([...got].sort((a, b) => a - b)).toEqual(got);
    const missing: number[] = [];
    for (let q = got[0]!; q <= head; q++) if (!got.includes(q)) missing.push(q);
    expect(missing).toEqual([]);
    // No identity or secret in what left the server: ids, roles and actions only.
    expect(c.messages.join('\n')).not.toMatch(/-demo|password|identity/);
  }, 90_000);
  it('a row about a sealed matter shipped after the seal is redacted, those written before the seal included', async () => {
    const tokenOf = async (who: string) =>
      (await api<{ accessToken: string }>(s.url, 'POST', '/api/auth/login', { body: { username: who, password: DEMO_PASSWORDS[who] } })).body.accessToken;
    const [officer, supervisor, auditor] = [await tokenOf('officer1'), await tokenOf('supervisor'), await tokenOf('auditor')];
    const head0 = await newest();
    await waitFor('the sign-ins reach the collector', () => c.messages.some((m) => seqOf(m) >= head0), { timeoutMs: 20_000 });
    // The collector is down while the matter is filed, referred and sealed: none of its rows has left yet.
    await c.stop();
    const narrative = '后来密封的事项：反映县纪委监委班子成员';
    const reason = '经核反映的是县纪委监委领导班子成员';
    const later = petitionBody('xingsha', null, { narrative });
    // An open matter filed beside it: its rows go out whole.
    const open = petitionBody('xingsha');
    expect((await api(s.url, 'POST', '/api/petitions', { token: officer, body: open })).status).toBe(200);
    expect((await api(s.url, 'POST', '/api/petitions', { token: officer, body: later })).status).toBe(200);
    expect((await transition(s.url, officer, later.id, { action: 'refer' })).status).toBe(200);
    expect((await api(s.url, 'POST', `/api/petitions/${later.id}/seal`, { token: supervisor, body: { reason } })).status).toBe(200);
    const rows = (await api<{ items: { seq: string; action: string }[] }>(s.url, 'GET', `/api/audit?objectId=${later.id}&limit=50`, { token: auditor })).body
      .items;
    expect(rows.map((r) => r.action).sort()).toEqual(['case.refer', 'petition.create', 'petition.seal']);
    const head = await newest();

    c.messages.length = 0;
    await c.listen();
    await waitFor('the rows reach the collector', () => c.messages.some((m) => seqOf(m) >= head), { timeoutMs: 30_000 });
    const json = (m: string) => JSON.parse(m.slice(m.indexOf('] {') + 2)) as Record<string, unknown>;
    for (const r of rows) {
      const m = c.messages.find((x) => seqOf(x) === Number(r.seq));
      expect(m && json(m)).toEqual({ seq: r.seq, at: expect.any(String), action: r.action, objectType: 'petition', redacted: true });
    }
    // Each of those messages is exactly the redacted row (above); nor is the matter named anywhere else.
    const sent = c.messages.join('\n');
    for (const leak of [later.id, narrative, reason]) expect({ leak, found: sent.includes(leak) }).toEqual({ leak, found: false });
    // The open matter's row keeps its township and details.
    expect(c.messages.map(json).find((m) => m['objectId'] === open.id && m['action'] === 'petition.create')).toMatchObject({
      townshipCode: 'xingsha',
      details: { category: '工作作风' },
    });
  }, 90_000);
});
