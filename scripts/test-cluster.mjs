// The cluster pass of `npm test`: every test file that starts the system runs again with VJ_TOPOLOGY=cluster,
// where test/helpers/server.ts stands 2 signaling + 2 SFU nodes behind one front port (on the run's real
// PostgreSQL and Redis) in for the single server. The files are found, not listed, so a new test that starts
// the system runs on both topologies without anyone remembering to add it. Left out: files that test a service
// or a rule against the database alone (they start no system, so there is no topology to vary), and files whose
// first lines say `Topology: pinned` with the reason (they start the topology they are about themselves, and
// would only run again unchanged).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STARTS_THE_SYSTEM = /from '\.\.\/helpers\/(server|inprocess|e2e|cluster)\.js'/;
const PINNED = /^\/\/ Topology: pinned\b/m;

export function clusterFiles() {
  const files = [];
  for (const dir of ['test/integration', 'test/e2e']) {
    for (const name of fs.readdirSync(path.join(REPO, dir)).sort()) {
      if (!name.endsWith('.test.ts')) continue;
      const text = fs.readFileSync(path.join(REPO, dir, name), 'utf8');
      if (STARTS_THE_SYSTEM.test(text) && !PINNED.test(text.slice(0, 600))) files.push(`${dir}/${name}`);
    }
  }
  return files;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = clusterFiles();
  console.log(`cluster pass: ${files.length} test files that start the system, on 2 signaling + 2 SFU nodes`);
  const r = spawnSync('npx', ['vitest', 'run', ...files, ...process.argv.slice(2)], {
    cwd: REPO,
    stdio: 'inherit',
    env: { ...process.env, VJ_TOPOLOGY: 'cluster' },
  });
  process.exit(r.status ?? 1);
}
