// The cluster pass finds its files (scripts/test-cluster.mjs). A finder that quietly found fewer would let the
// second topology go untested without anyone noticing, so this holds it to what it must find and leave out.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs script without type declarations
import { clusterFiles } from '../../scripts/test-cluster.mjs';

const REPO = path.resolve(import.meta.dirname, '..', '..');
const files: string[] = clusterFiles();
const read = (f: string) => fs.readFileSync(path.join(REPO, f), 'utf8');

describe('the cluster pass', () => {
  it('runs every integration and e2e file that starts the system, unless the file says why its topology is pinned', () => {
    const all = ['test/integration', 'test/e2e'].flatMap((d) =>
      fs
        .readdirSync(path.join(REPO, d))
        .filter((n) => n.endsWith('.test.ts'))
        .map((n) => `${d}/${n}`),
    );
    const startsServer = all.filter((f) => /startTestServer\(|startInProcess\(|useServerAndBrowser\(/.test(read(f)));
    const pinned = all.filter((f) => read(f).startsWith('// Topology: pinned — '));
    for (const f of startsServer) if (!pinned.includes(f)) expect(files, f).toContain(f);
    for (const f of pinned) expect(files, f).not.toContain(f);
    // The live call, the wall and the case API are the heart of it: never left to one topology.
    for (const f of ['test/e2e/call.e2e.test.ts', 'test/e2e/wall.e2e.test.ts', 'test/integration/api.test.ts', 'test/integration/crash.test.ts'])
      expect(files).toContain(f);
  });

  it('leaves out files that test a service or a rule against the database alone', () => {
    for (const f of ['test/integration/case-transitions.test.ts', 'test/integration/cross-reference.test.ts', 'test/integration/redis-rpc.test.ts'])
      expect(files).not.toContain(f);
  });
});
