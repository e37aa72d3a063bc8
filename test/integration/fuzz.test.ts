import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  AuditQuery,
  KioskAuthBody,
  LoginBody,
  PetitionListQuery,
  PetitionSubmitBody,
  ReceiptLookupBody,
  RefreshBody,
  RevealBody,
  clientEvents,
  type ClientEvent,
} from '@vj/shared';
import { api } from '../helpers/api.js';
import { kioskToken, loginAll, petitionBody, type Logins } from '../helpers/fixtures.js';
import { dbFingerprint, startInProcess, type InProcessServer } from '../helpers/inprocess.js';
import { connect, send } from '../helpers/sockets.js';

// Generated bad input for every REST body and socket event: wrong types, __proto__ keys, deep nesting, huge
// strings, broken JSON. Every case must get a clean 4xx / error ack, nothing may crash, and nothing may change.

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 40);

/** Values that look like JSON input, biased towards the nasty ones. */
const nasty = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.string(),
    fc.string({ minLength: 70_000, maxLength: 70_010 }),
    fc.constantFrom('__proto__', 'constructor', 'prototype', '0000000000', '000000', '{}', 'NaN'),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'id', 'identity', 'token')), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** JSON text, including what JSON.stringify cannot produce: own __proto__ keys, 500-deep nesting, garbage. */
const bodies = fc.oneof(
  nasty.map((v) => JSON.stringify(v) ?? 'null'),
  nasty.map((v) => `{"__proto__": ${JSON.stringify(v) ?? 'null'}, "constructor": {"prototype": {"admin": true}}}`),
  fc.integer({ min: 100, max: 600 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.integer({ min: 100, max: 600 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
  fc.string().map((t) => `{${t}`),
);

const rejectedBy = (schema: z.ZodType) => (text: string) => {
  try {
    return !schema.safeParse(JSON.parse(text)).success;
  } catch {
    return true;
  }
};

let s: InProcessServer;
let logins: Logins;
let kiosk: string;
let petitionId: string;

beforeAll(async () => {
  s = await startInProcess();
  logins = await loginAll(s.url);
  kiosk = await kioskToken(s.url, s.server.demo!.kiosks['xingsha']!);
  const b = petitionBody('xingsha');
  await api(s.url, 'POST', '/api/petitions', { token: logins['officer1']!.accessToken, body: b });
  petitionId = b.id;
});
afterAll(async () => s?.stop());

describe('fuzzing every input', () => {
  it('REST bodies and queries: only 4xx answers, and no database change', async () => {
    const officer = logins['officer1']!.accessToken;
    const targets: { method: string; path: string; token?: string; schema: z.ZodType; query?: boolean }[] = [
      { method: 'POST', path: '/api/auth/login', schema: LoginBody },
      { method: 'POST', path: '/api/auth/refresh', schema: RefreshBody },
      { method: 'POST', path: '/api/auth/kiosk', schema: KioskAuthBody },
      { method: 'POST', path: '/api/petitions', token: officer, schema: PetitionSubmitBody },
      { method: 'POST', path: `/api/petitions/${petitionId}/reveal`, token: officer, schema: RevealBody },
      { method: 'POST', path: '/api/receipts/lookup', token: kiosk, schema: ReceiptLookupBody },
      { method: 'GET', path: '/api/petitions', token: officer, schema: PetitionListQuery, query: true },
      { method: 'GET', path: '/api/audit', token: logins['supervisor']!.accessToken, schema: AuditQuery, query: true },
    ];
    const before = await dbFingerprint(s);
    const statuses = new Map<number, number>();
    for (const t of targets) {
      await fc.assert(
        fc.asyncProperty(bodies.filter(rejectedBy(t.schema)), async (text) => {
          let status: number;
          if (t.query) {
            const v = (() => {
              try {
                return JSON.parse(text) as unknown;
              } catch {
                return text;
              }
            })();
            const qs = new URLSearchParams(
              typeof v === 'object' && v
                ? Object.entries(v).map(([k, x]) => [k, String(JSON.stringify(x)).slice(0, 2000)])
                : [['limit', String(v).slice(0, 2000)]],
            );
            if (!rejectedBy(t.schema)(JSON.stringify(Object.fromEntries(qs)))) return; // a query string that happens to be valid is not bad input
            status = (await api(s.url, t.method, `${t.path}?${qs}`, { ...(t.token ? { token: t.token } : {}) })).status;
          } else {
            status = (await api(s.url, t.method, t.path, { rawBody: text, ...(t.token ? { token: t.token } : {}) })).status;
          }
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          return status >= 400 && status < 500;
        }),
        { numRuns: RUNS },
      );
    }
    console.log(`REST fuzz: ${[...statuses].map(([k, n]) => `${k}×${n}`).join(' ')}`);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(RUNS); // validation really ran, not only the rate limiter
    expect((await api(s.url, 'GET', '/api/health')).status).toBe(200);
    expect(await dbFingerprint(s)).toBe(before);
  });

  it('socket events: only error acks, no crash, and no database change', async () => {
    const before = await dbFingerprint(s);
    let acks = 0;
    for (const token of [kiosk, logins['officer1']!.accessToken]) {
      const socket = await connect(s.url, token);
      try {
        for (const event of Object.keys(clientEvents) as ClientEvent[]) {
          await fc.assert(
            // Within the transport's 256 KB message limit: a bigger message closes the connection by design
            // (socket.io's maxHttpBufferSize), which is a refusal of its own, not an event to answer.
            fc.asyncProperty(
              nasty.filter((v) => (JSON.stringify(v)?.length ?? 0) < 200_000 && !clientEvents[event].payload.safeParse(v).success),
              async (payload) => {
                const res = await send(socket, event, payload);
                acks++;
                return res.ok === false && ['BAD_REQUEST', 'FORBIDDEN'].includes(res.error.code);
              },
            ),
            { numRuns: Math.ceil(RUNS / 2) },
          );
          socket.emit(event, { no: 'ack callback' }); // ignored: nobody could learn the outcome
        }
        expect(socket.connected).toBe(true);
      } finally {
        socket.close();
      }
    }
    expect(acks).toBeGreaterThan(100);
    expect((await api(s.url, 'GET', '/api/health')).status).toBe(200);
    expect(await dbFingerprint(s)).toBe(before);
  });

  it('text the database cannot keep as written (a NUL, a lone surrogate) is refused with 400 before anything runs, on REST and sockets', async () => {
    // A NUL passed every schema and reached PostgreSQL, which refused it: 500 INTERNAL, login included (an outside
    // probe's finding). A lone surrogate was stored as U+FFFD: the petitioner's words silently changed.
    const officer = logins['officer1']!.accessToken;
    const before = await dbFingerprint(s);
    const cases: { path: string; token?: string; body: unknown; field: string }[] = [
      { path: '/api/auth/login', body: { username: 'officer1\u0000', password: 'x' }, field: 'username' },
      { path: '/api/petitions', token: officer, body: { ...petitionBody('xingsha'), narrative: '反映问题\u0000' }, field: 'narrative' },
      { path: '/api/petitions', token: officer, body: { ...petitionBody('xingsha'), narrative: '反映\ud800问题' }, field: 'narrative' },
      {
        path: '/api/petitions',
        token: officer,
        body: { ...petitionBody('xingsha'), accused: [{ name: '李\u0000某', unit: '某村', position: '村主任', townshipCode: null, officialCode: null }] },
        field: 'accused.0.name',
      },
      { path: `/api/petitions/${petitionId}/reveal`, token: officer, body: { reason: '核实\udc00身份' }, field: 'reason' },
    ];
    for (const c of cases) {
      const r = await api<{ error: { code: string; message: string; fields: string[] } }>(s.url, 'POST', c.path, { token: c.token, body: c.body });
      expect({ path: c.path, status: r.status, code: r.body.error?.code, fields: r.body.error?.fields }).toEqual({
        path: c.path,
        status: 400,
        code: 'BAD_REQUEST',
        fields: [c.field],
      });
      expect(r.body.error.message).toContain('无法保存的字符');
    }
    const socket = await connect(s.url, kiosk);
    try {
      // Else an unreadable token: UNAUTHENTICATED. Refused as text first, with the field named.
      expect(await send(socket, 'auth:refresh', { token: 'ab\u0000c' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', fields: ['token'] } });
    } finally {
      socket.close();
    }
    expect(await dbFingerprint(s)).toBe(before);
  });

  it('left no unhandled error in the logs', () => {
    expect(s.logs.filter((l) => /unhandled|uncaught|"level":"error"/.test(l))).toEqual([]);
  });
});
