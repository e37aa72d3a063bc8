// The architecture rules live in eslint.config.js (no-restricted-imports per area). This lints one import at a
// time, as if written in a file of each area, so a rule that stops firing (a typo in a pattern, a later config
// block overriding an earlier one) fails here instead of letting the layering erode quietly.
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: REPO });

async function refusedImports(file: string, specifier: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import * as x from '${specifier}';\nexport default x;\n`, { filePath: path.join(REPO, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const cases: { area: string; file: string; refused: string[]; allowed: string[] }[] = [
  {
    area: 'a browser app',
    file: 'county-console/src/views/Probe.tsx',
    refused: ['@vj/signaling', '@vj/sfu-server', '@vj/shared/node', '@vj/signaling/dist/context.js', 'node:fs', 'node:crypto', '../../signaling/src/context.js', '../../sfu-server/src/sfu-service.js', '../../shared/src/log.js'],
    allowed: ['@vj/shared', '@vj/shared/client', 'react', './components/Table.js'],
  },
  {
    area: 'the kiosk',
    file: 'kiosk-client/src/Probe.tsx',
    refused: ['@vj/signaling', 'node:path', '../../signaling/src/server.js'],
    allowed: ['@vj/shared/client', './kiosk-controller.js'],
  },
  {
    area: 'the browser kit',
    file: 'shared/src/client/probe.ts',
    refused: ['@vj/signaling', 'node:events', '../../../signaling/src/context.js', '@vj/shared/node', '../node/redis-rpc.js'],
    allowed: ['../schemas/socket.js', 'mediasoup-client', './socket.js'],
  },
  {
    area: 'shared',
    file: 'shared/src/probe.ts',
    refused: ['@vj/signaling', '@vj/sfu-server', '../../signaling/src/context.js', '../../county-console/src/api.js', 'node:crypto', './node/redis-rpc.js'],
    allowed: ['zod', './schemas/rest.js'],
  },
  {
    area: 'the SFU',
    file: 'sfu-server/src/probe.ts',
    refused: ['@vj/signaling', '../../signaling/src/context.js', 'node:crypto'],
    allowed: ['@vj/shared', '@vj/shared/node', 'mediasoup', './session-media.js'],
  },
  {
    area: 'signaling',
    file: 'signaling/src/cases/probe.ts',
    refused: ['../http/routes/cases.js', 'node:crypto'],
    allowed: ['../http/route.js', '../security/crypto.js', './case-policy.js', '@vj/shared'],
  },
  {
    area: 'the cluster layer',
    file: 'signaling/src/cluster/probe.ts',
    refused: ['../realtime/handlers.js', '../sessions/call-service.js', '../context.js', '../http/route.js', '../http/routes/cases.js'],
    allowed: ['./node-bus.js', '@vj/shared', '@vj/shared/node', 'ioredis'],
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
    for (const s of refused) expect(await refusedImports(file, s), `${file} importing ${s}`).not.toEqual([]);
    for (const s of allowed) expect(await refusedImports(file, s), `${file} importing ${s}`).toEqual([]);
  });
});
