// Every REST answer passes its route's response schema on the way out (http/route.ts): only what the schema
// declares leaves (an undeclared field a query happened to return cannot reach anyone), and an answer that does
// not match is refused as this server's fault, logged with the route and the failing paths, never the values.
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '@vj/shared';
import type { AppContext } from '../../signaling/src/context.js';
import { errorHandler } from '../../signaling/src/http/errors.js';
import { BYTES, mount } from '../../signaling/src/http/route.js';

describe('answers checked against their schema', () => {
  const lines: string[] = [];
  const log = createLogger('test', 'info', (l) => lines.push(l));
  let url = '';
  let close: () => void = () => {};
  beforeAll(async () => {
    const app = express();
    const ctx = { log } as unknown as AppContext;
    // Public routes, so no authentication is involved: what is tested is the last step of the chain.
    mount(app, ctx, 'GET /api/health', {
      response: z.object({ ok: z.boolean() }),
      handler: async () => ({ ok: true, narrative: '举报内容', idCard: '430121198001010011' }),
    });
    mount(app, ctx, 'POST /api/auth/refresh', {
      response: z.object({ status: z.enum(['received']) }),
      handler: async () => ({ status: 'leaked', secret: '不应出现' }) as never,
    });
    mount(app, ctx, 'GET /api/recordings/playback/:id', { response: BYTES, handler: async () => ({ plain: 'json' }) as never });
    app.use(errorHandler(log));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => close());

  it('sends only what the schema declares', async () => {
    const r = await fetch(`${url}/api/health`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ ok: true });
  });

  it('refuses an answer that does not match with 500 INTERNAL, and logs the route and paths without the values', async () => {
    const r = await fetch(`${url}/api/auth/refresh`, { method: 'POST' });
    expect(r.status).toBe(500);
    const body = (await r.json()) as { error: { code: string } };
    expect(body.error.code).toBe('INTERNAL');
    expect(JSON.stringify(body)).not.toMatch(/leaked|不应出现/);
    const line = lines.find((l) => l.includes('answer does not match its schema'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ level: 'error', route: 'POST /api/auth/refresh', paths: 'status' });
    expect(line).not.toMatch(/leaked|不应出现/);
  });

  it('refuses JSON from a route that declared it answers with bytes', async () => {
    const r = await fetch(`${url}/api/recordings/playback/x`);
    expect(r.status).toBe(500);
    expect(lines.some((l) => l.includes('a bytes route answered with JSON'))).toBe(true);
  });
});
