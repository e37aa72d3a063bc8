// The architecture rules live in eslint.config.js (no-restricted-imports per area, and the workspace boundary in
// scripts/lib/workspace-boundary.mjs). This lints one import at a time, as if written in a file of each area, so
// a rule that stops firing (a typo in a pattern, a later config block overriding an earlier one) fails here
// instead of letting the layering erode quietly.
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: REPO });
const ARCHITECTURE_RULES = new Set(['no-restricted-imports', 'vj/workspace-boundary', 'no-restricted-syntax']);

async function refusals(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(REPO, file) });
  const messages = result?.messages ?? [];
  // A probe that does not parse, or a file no config covers, would look refused: neither may count.
  expect(messages.filter((m) => m.fatal === true || m.ruleId === null)).toEqual([]);
  return messages.filter((m) => ARCHITECTURE_RULES.has(m.ruleId ?? '')).map((m) => m.message);
}

/** A file of the area that imports `specifier` (statically, and again by re-exporting from it). */
const importing = (specifier: string) => `import * as x from '${specifier}';\nexport default x;\n`;
const reExporting = (specifier: string) => `export * from '${specifier}';\n`;

const SERVER_PACKAGES = ['ioredis', 'pg', 'mediasoup', 'socket.io', 'express', 'jsonwebtoken', '@electric-sql/pglite', 'pg/lib/client.js'];

const cases: { area: string; file: string; refused: string[]; allowed: string[] }[] = [
  {
    area: 'a browser app',
    file: 'county-console/src/views/Probe.tsx',
    refused: [
      '@vj/signaling',
      '@vj/sfu-server',
      '@vj/rpc',
      '@vj/signaling/dist/context.js',
      '@vj/kiosk-client',
      '@vj/shared/dist/log.js',
      'node:fs',
      'fs',
      'events',
      'node:crypto',
      'crypto',
      'fs/promises',
      ...SERVER_PACKAGES,
      '../../../signaling/src/context.js',
      '../../../sfu-server/src/sfu-service.js',
      '../../../shared/src/log.js',
      '../../../shared/client/src/http.js',
    ],
    allowed: ['@vj/shared', '@vj/client', '@vj/client/jitless', 'react', 'react-dom/client', '../components/Table.js'],
  },
  {
    area: 'the kiosk',
    file: 'kiosk-client/src/Probe.tsx',
    refused: ['@vj/signaling', '@vj/county-console', '@vj/rpc', 'node:path', 'path', 'ioredis', '../../signaling/src/server.js', '../../shared/src/errors.js'],
    allowed: ['@vj/client', '@vj/client/jitless', '@vj/shared', './kiosk-controller.js', './screens/Waiting.js'],
  },
  {
    area: 'the browser kit (@vj/client)',
    file: 'shared/client/src/probe.ts',
    refused: [
      '@vj/signaling',
      '@vj/sfu-server',
      '@vj/rpc',
      '@vj/county-console',
      'node:events',
      'events',
      'node:crypto',
      ...SERVER_PACKAGES,
      '../../src/errors.js',
      '../../rpc/src/redis-rpc.js',
      '../../src/schemas/socket.js',
      '../../../signaling/src/context.js',
    ],
    allowed: ['@vj/shared', 'mediasoup-client', 'socket.io-client', 'zod', 'react', './socket.js'],
  },
  {
    area: 'the root of shared',
    file: 'shared/src/probe.ts',
    refused: [
      '@vj/signaling',
      '@vj/sfu-server',
      '@vj/client',
      '@vj/rpc',
      'node:crypto',
      'crypto',
      'node:fs',
      'events',
      ...SERVER_PACKAGES,
      '../client/src/http.js',
      '../rpc/src/redis-rpc.js',
      '../../signaling/src/context.js',
      '../../county-console/src/api.js',
    ],
    allowed: ['zod', './schemas/rest.js', './errors.js'],
  },
  {
    area: "shared's schemas",
    file: 'shared/src/schemas/probe.ts',
    refused: ['../../rpc/src/redis-rpc.js', 'node:events', '@vj/signaling', '../../client/src/socket.js'],
    allowed: ['zod', '../errors.js', './common.js'],
  },
  {
    area: 'the RPC package (@vj/rpc)',
    file: 'shared/rpc/src/probe.ts',
    refused: ['@vj/signaling', '@vj/sfu-server', '@vj/client', 'node:crypto', '../../../signaling/src/context.js', '../../src/errors.js'],
    allowed: ['ioredis', 'node:events', '@vj/shared', './redis-rpc.js'],
  },
  {
    area: 'the SFU',
    file: 'sfu-server/src/probe.ts',
    refused: [
      '@vj/signaling',
      '@vj/signaling/dist/context.js',
      '@vj/client',
      '@vj/kiosk-client',
      '../../signaling/src/context.js',
      '../../shared/src/errors.js',
      'node:crypto',
    ],
    allowed: ['@vj/shared', '@vj/rpc', 'mediasoup', 'node:os', './session-media.js'],
  },
  {
    area: 'signaling',
    file: 'signaling/src/cases/probe.ts',
    refused: [
      '../http/routes/cases.js',
      'node:crypto',
      '@vj/client',
      '@vj/county-console',
      '../../../sfu-server/src/sfu-service.js',
      '../../../shared/src/errors.js',
    ],
    allowed: ['../http/route.js', '../security/crypto.js', './case-policy.js', '@vj/shared', '@vj/rpc', '@vj/sfu-server', 'node:fs'],
  },
  {
    area: 'the http layer',
    file: 'signaling/src/http/probe.ts',
    refused: ['./routes/cases.js', './routes/admin.js'],
    allowed: ['./route.js', './access.js'],
  },
  {
    area: 'the cluster layer',
    file: 'signaling/src/cluster/probe.ts',
    // An allow-list: a folder nobody thought to refuse (topology, admin) is refused too.
    refused: [
      '../realtime/handlers.js',
      '../sessions/call-service.js',
      '../context.js',
      '../http/route.js',
      '../http/routes/cases.js',
      '../topology.js',
      '../admin/admin-service.js',
    ],
    allowed: ['./node-bus.js', '../security/crypto.js', '../alerts/alert-service.js', '@vj/shared', '@vj/rpc', 'ioredis'],
  },
  {
    area: 'a route file',
    file: 'signaling/src/http/routes/probe.ts',
    refused: ['./cases.js', '../routes/admin.js'],
    allowed: ['../route.js', '../../context.js', '../../cases/case-service.js'],
  },
  {
    area: 'the file that mounts the routes',
    file: 'signaling/src/http/app.ts',
    refused: ['node:crypto'],
    allowed: ['./routes/cases.js'],
  },
];

describe('the architecture is a lint rule', () => {
  it.each(cases)('$area: refuses what it may not import and allows the rest', async ({ file, refused, allowed }) => {
    for (const s of refused) {
      expect(await refusals(file, importing(s)), `${file} importing ${s}`).not.toEqual([]);
      expect(await refusals(file, reExporting(s)), `${file} re-exporting ${s}`).not.toEqual([]);
    }
    for (const s of allowed) expect(await refusals(file, importing(s)), `${file} importing ${s}`).toEqual([]);
  });

  it("refuses a package its workspace's package.json does not declare, so every dependency is on record", async () => {
    // Each probe is a real package that the repository installs (another workspace declares it), so only the
    // manifest of the importing workspace decides.
    const undeclared: [string, string][] = [
      ['shared/src/probe.ts', 'ioredis'],
      ['shared/rpc/src/probe.ts', 'mediasoup'],
      ['sfu-server/src/probe.ts', 'express'],
      ['signaling/src/cases/probe.ts', 'mediasoup-client'],
      ['kiosk-client/src/Probe.tsx', 'qrcode'],
      ['county-console/src/views/Probe.tsx', 'otpauth'],
    ];
    for (const [file, s] of undeclared) expect(await refusals(file, importing(s)), `${file} importing ${s}`).not.toEqual([]);
    // A subpath of a declared package, and node's own modules, pass.
    expect(await refusals('signaling/src/cases/probe.ts', importing('zod/v4'))).toEqual([]);
    expect(await refusals('kiosk-client/src/Probe.tsx', importing('react-dom/client'))).toEqual([]);
  });

  it('refuses a dynamic import(), which the import rules would not see', async () => {
    for (const file of ['county-console/src/views/Probe.tsx', 'sfu-server/src/probe.ts', 'signaling/src/cases/probe.ts']) {
      expect(await refusals(file, `export const load = () => import('./x.js');\n`), file).not.toEqual([]);
    }
  });

  it("refuses a type written as import('…'), which the import rules would not see; `import type` is held to them", async () => {
    const file = 'county-console/src/probe.ts';
    expect(await refusals(file, `export type C = import('../../signaling/src/context.js').AppContext;\n`)).not.toEqual([]);
    expect(await refusals(file, `export type S = import('./strings.js').Strings;\n`)).not.toEqual([]);
    expect(await refusals(file, `import type { Strings } from './strings.js';\nexport type S = Strings;\n`)).toEqual([]);
    expect(await refusals('signaling/src/cluster/probe.ts', `export type C = import('../context.js').AppContext;\n`)).not.toEqual([]);
    expect(await refusals('signaling/src/cluster/probe.ts', `import type { AppContext } from '../context.js';\nexport type C = AppContext;\n`)).not.toEqual([]);
    expect(await refusals('signaling/src/probe.ts', `export type X = import('./http/routes/cases.js').Anything;\n`)).not.toEqual([]);
  });

  it('refuses a silent catch on the server unless a disable comment gives its reason; a catch that logs passes', async () => {
    const silent = [
      'export const a = (p: Promise<void>) => p.catch(() => {});\n',
      'export const b = (p: Promise<boolean>) => p.catch(() => false);\n',
      'export const c = (p: Promise<unknown>) => p.catch(() => undefined);\n',
      'export const d = (p: Promise<unknown>) => p.catch(() => null);\n',
      'export const f = (p: Promise<void>) => p.catch(function () {});\n',
      'export const g = (p: Promise<void>) => p.catch(() => void 0);\n',
      'export const h = (p: Promise<string[]>) => p.catch(() => [] as string[]);\n',
      'export const i = (p: Promise<void>) => p.then(undefined, () => {});\n',
      'export const j = (p: Promise<object>) => p.catch(() => ({}));\n',
    ];
    for (const file of ['sfu-server/src/probe.ts', 'signaling/src/cases/probe.ts', 'shared/rpc/src/probe.ts']) {
      for (const source of silent) expect(await refusals(file, source), `${file}: ${source}`).not.toEqual([]);
      // Still refused: the dynamic import rule shares this setting, and must not be lost to it.
      expect(await refusals(file, `export const load = () => import('./x.js');\n`), file).not.toEqual([]);
      const logged = 'declare const log: { warn(m: string): void };\nexport const e = (p: Promise<void>) => p.catch(() => log.warn("x failed"));\n';
      expect(await refusals(file, logged), file).toEqual([]);
      const excused = `// eslint-disable-next-line no-restricted-syntax -- retried on the next tick\n${silent[0]}`;
      expect(await refusals(file, excused), file).toEqual([]);
    }
    // Browser code is not held to it (a page's fire-and-forget requests report through their own screens).
    expect(await refusals('county-console/src/probe.ts', silent[0]!)).toEqual([]);
  });

  it('refuses a literal error message anywhere but the catalog; a catalog entry passes', async () => {
    const literal = [
      `export const a = () => new AppError('NOT_FOUND', 'no such case');\n`,
      'export const b = (n: number) => new AppError(`BAD_REQUEST`, `第 ${n} 项有误`);\n',
      `export const c = (x: boolean) => new AppError('BAD_REQUEST', x ? '甲有误。' : ERROR_MESSAGES.common.internal);\n`,
      `export class Sub extends AppError {\n  constructor() {\n    super('INTERNAL', 'boom');\n  }\n}\n`,
    ];
    const head = `import { AppError, ERROR_MESSAGES } from '@vj/shared';\n`;
    const files = ['signaling/src/cases/probe.ts', 'sfu-server/src/probe.ts', 'shared/rpc/src/probe.ts', 'kiosk-client/src/probe.ts'];
    for (const file of files) {
      for (const source of literal)
        expect(await refusals(file, head + source), `${file}: ${source}`).toContainEqual(expect.stringContaining('shared/src/error-messages.ts'));
      const fromCatalog = `export const d = (n: number) => new AppError('BAD_REQUEST', ERROR_MESSAGES.cases.noSuchAccused(n));\n`;
      expect(await refusals(file, head + fromCatalog), file).toEqual([]);
    }
    const inShared = `import { AppError } from './errors.js';\n${literal[0]}`;
    expect(await refusals('shared/src/probe.ts', inShared)).toContainEqual(expect.stringContaining('shared/src/error-messages.ts'));
  });

  it('leaves tests free to reach the shared test helpers', async () => {
    expect(await refusals('signaling/src/security/probe.test.ts', importing('../../../test/helpers/forged-tokens.js'))).toEqual([]);
  });
});
