// One set-up for `npm start` and `npm test`: installs what is missing and builds what is stale, then exits.
// Safe to run again: every step checks first and skips work that is already done.
// Uses only Node's standard library, because on a fresh clone nothing else is installed yet.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureAptPackages } from './lib/apt.mjs';
import { fail, step } from './lib/log.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mode = ['test', 'bench', 'turn'].includes(process.argv[2]) ? process.argv[2] : 'start';

// What each command needs from Debian besides Node. The worker's build tools are added only when a build is due.
const APT = {
  // fonts-wqy-microhei: the Chinese font the 政治生态报告 PDF embeds (signaling/src/discipline/report-pdf.ts).
  start: ['ca-certificates', 'ffmpeg', 'espeak-ng', 'fonts-wqy-microhei'],
  // postgresql: `npm test` starts a private server of its own (test/helpers/global-services.ts) unless DATABASE_URL is set.
  // coturn: so does the TURN test (test/helpers/turn-server.ts); libnss3-tools (certutil) lets its Chromium trust a
  // test CA, as a county installs its intranet CA on every kiosk PC, so TURN over TLS is verified, not waved through.
  test: [
    'ca-certificates',
    'chromium',
    'fonts-wqy-microhei',
    'redis-server',
    'postgresql',
    'postgresql-client',
    'docker-compose',
    'ffmpeg',
    'espeak-ng',
    'coturn',
    'libnss3-tools',
    // pdftotext: the report tests read the PDF's text back, as a reader's viewer would.
    'poppler-utils',
  ],
  bench: ['ca-certificates', 'chromium', 'fonts-wqy-microhei', 'ffmpeg', 'redis-server', 'redis-tools', 'gcc', 'libc6-dev'],
  // The optional TURN relay (`npm run turn`); the TURN tests start a private one (test/helpers/turn-server.ts).
  turn: ['ca-certificates', 'coturn'],
};

/**
 * Debian enables coturn's own service when the package is installed; on a systemd host it would start with the
 * distribution's sample configuration. This project runs coturn with its own configuration (`npm run turn`), so a
 * coturn that set-up has just installed gets its service disabled and stopped. One installed before is left alone.
 */
function disableDistributionTurnService(installed) {
  if (!installed.includes('coturn') || !fs.existsSync('/run/systemd/system')) return;
  step("coturn: disabling the distribution's coturn.service (npm run turn runs coturn with this project's configuration)");
  spawnSync('systemctl', ['disable', '--now', 'coturn.service'], { stdio: 'inherit' });
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) fail(`Node ${process.versions.node} is too old; this project needs Node >= 20.19`);
}

function hashFiles(files) {
  const h = createHash('sha256');
  for (const f of files) if (fs.existsSync(f)) h.update(f).update(fs.readFileSync(f));
  return h.digest('hex');
}

function installDependencies() {
  const manifests = [
    'package.json',
    'package-lock.json',
    ...['shared', 'shared/client', 'shared/rpc', 'sfu-server', 'signaling', 'kiosk-client', 'county-console'].map((w) => `${w}/package.json`),
  ];
  const want = hashFiles(manifests.map((f) => path.join(ROOT, f)));
  const stamp = path.join(ROOT, 'node_modules', '.vj-install-stamp');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === want) return step('npm dependencies: up to date');
  step('npm dependencies: installing from the npm registry (or your npm mirror)…');
  // .npmrc sets ignore-scripts: no dependency may try the network; the mediasoup worker is built below.
  const hasLock = fs.existsSync(path.join(ROOT, 'package-lock.json'));
  run('npm', [hasLock ? 'ci' : 'install', '--no-audit', '--no-fund', '--loglevel=error'], {
    env: { ...process.env, MEDIASOUP_WORKER_BIN: '/nonexistent-built-by-scripts' },
  });
  fs.writeFileSync(stamp, want);
}

function newestMtime(dir) {
  let newest = 0;
  if (!fs.existsSync(dir)) return newest;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

function buildApps() {
  step('TypeScript: building shared, the browser kit, sfu-server and signaling (incremental)…');
  run(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-b']);
  for (const app of ['kiosk-client', 'county-console']) {
    const out = path.join(ROOT, app, 'dist', 'index.html');
    const inputs = Math.max(
      newestMtime(path.join(ROOT, app, 'src')),
      newestMtime(path.join(ROOT, app, 'public')),
      newestMtime(path.join(ROOT, 'shared', 'src')),
      newestMtime(path.join(ROOT, 'shared', 'client', 'src')),
      fs.statSync(path.join(ROOT, app, 'index.html')).mtimeMs,
    );
    if (fs.existsSync(out) && fs.statSync(out).mtimeMs > inputs) {
      step(`${app}: up to date`);
      continue;
    }
    step(`${app}: building with Vite…`);
    run('npm', ['run', 'build', '--silent', '-w', app], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
}

async function main() {
  const started = Date.now();
  step(`视频接访 set-up (${mode})`);
  checkNode();
  const purpose = mode === 'start' ? 'running' : mode === 'turn' ? 'the TURN relay (coturn)' : `${mode}s (browser, PostgreSQL, Redis)`;
  disableDistributionTurnService(ensureAptPackages(APT[mode], purpose));
  installDependencies();
  if (mode === 'turn') {
    // A TURN host needs only the configuration code (and coturn), not the media worker or the apps.
    step('TypeScript: building shared, sfu-server and signaling (incremental)…');
    run(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-b']);
    return step(`set-up done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const { ensureMediasoupWorker } = await import('./build-mediasoup-worker.mjs');
  await ensureMediasoupWorker();
  // The kiosk's Mandarin prompt clips go into its public/ folder before Vite copies it.
  await (await import('./make-prompts.mjs')).ensurePrompts();
  buildApps();
  step(`set-up done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err) => fail(err instanceof Error ? err.message : String(err)));
