// Builds the mediasoup C++ worker offline against Debian 12's system libraries (DESIGN.md §5) and caches
// the binary, so the install needs only a Debian mirror and an npm mirror. A second run reuses the cache.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureAptPackages } from './lib/apt.mjs';
import { step, fail } from './lib/log.mjs';
import { SUBPROJECT_STUBS, STUB_SOURCE } from './lib/mediasoup-stubs.mjs';
import { applyWorkerPatches, WORKER_PATCHES } from './lib/mediasoup-patches.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MEDIASOUP_VERSION = '3.12.16';
export const BUILD_PACKAGES = [
  'meson',
  'ninja-build',
  'pkg-config',
  'g++',
  'python3',
  'libuv1-dev',
  'libssl-dev',
  'libsrtp2-dev',
  'libusrsctp-dev',
  'libabsl-dev',
  'nlohmann-json3-dev',
];

function mediasoupDir() {
  const dir = path.join(ROOT, 'node_modules', 'mediasoup');
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  if (pkg.version !== MEDIASOUP_VERSION) {
    fail(`mediasoup ${pkg.version} is installed, but the offline recipe is for ${MEDIASOUP_VERSION}`);
  }
  return dir;
}

/** The cache key changes when Debian's library versions or our source patches change, so a stale binary is never reused. */
export function cacheKey() {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package}=${Version}\n', ...BUILD_PACKAGES.slice(5)], {
    encoding: 'utf8',
  });
  const h = createHash('sha256').update(`${MEDIASOUP_VERSION}\n${os.arch()}\n${r.stdout}\n${JSON.stringify(WORKER_PATCHES)}`);
  return `${MEDIASOUP_VERSION}-${h.digest('hex').slice(0, 12)}`;
}

export function cacheRoot() {
  return process.env.VJ_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'shipin-jiefang');
}

function prepareSource(src, buildRoot) {
  fs.rmSync(buildRoot, { recursive: true, force: true });
  fs.mkdirSync(buildRoot, { recursive: true });
  fs.cpSync(path.join(src, 'worker'), path.join(buildRoot, 'worker'), { recursive: true });
  const worker = path.join(buildRoot, 'worker');
  const mesonBuild = path.join(worker, 'meson.build');
  // Debian 12 ships meson 1.0.1; this worker tree configures and builds with it.
  const text = fs.readFileSync(mesonBuild, 'utf8').replace("meson_version: '>= 1.1.0'", "meson_version: '>= 1.0.0'");
  fs.writeFileSync(mesonBuild, text);
  applyWorkerPatches(fs, path, worker);
  for (const [dir, stub] of Object.entries(SUBPROJECT_STUBS)) {
    const d = path.join(worker, 'subprojects', dir);
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, 'meson.build'), stub.build);
    fs.writeFileSync(path.join(d, 'stub.c'), STUB_SOURCE);
    if (stub.options) fs.writeFileSync(path.join(d, 'meson_options.txt'), stub.options);
  }
  return worker;
}

function run(cmd, args, cwd, onLine) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail = [];
    const feed = (buf) => {
      for (const line of buf.toString().split('\n')) {
        if (!line) continue;
        tail.push(line);
        if (tail.length > 40) tail.shift();
        onLine?.(line);
      }
    };
    child.stdout.on('data', feed);
    child.stderr.on('data', feed);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}:\n${tail.join('\n')}`))));
  });
}

/** Ninja prints "[n/total] Compiling ..."; report the count and stage without flooding a CI log. */
function progressReporter() {
  let lastPct = -1;
  let lastAt = 0;
  return (line) => {
    const m = /^\[(\d+)\/(\d+)\]\s+(.*)$/.exec(line);
    if (!m) return;
    // "Compiling C++ object libmediasoup-worker.a.p/src_RTC_Transport.cpp.o" → "compiling src_RTC_Transport.cpp"
    const what = m[3].replace(/^(\w+).*?([\w.+-]+?)(\.o)?$/, (_all, verb, file) => `${verb.toLowerCase()} ${file.split('/').pop()}`);
    const [n, total] = [Number(m[1]), Number(m[2])];
    const pct = Math.floor((n / total) * 100);
    const now = Date.now();
    if (pct >= lastPct + 5 || now - lastAt > 15000 || n === total) {
      lastPct = pct;
      lastAt = now;
      step(`  mediasoup worker: step ${n}/${total} (${pct}%) — ${what}`);
    }
  };
}

async function build(dest) {
  ensureAptPackages(BUILD_PACKAGES, 'building the mediasoup worker');
  const src = mediasoupDir();
  const buildRoot = path.join(cacheRoot(), 'build');
  step(`Building mediasoup-worker ${MEDIASOUP_VERSION} from source against Debian's libraries (a few minutes on 2 cores)…`);
  const worker = prepareSource(src, buildRoot);
  step('  mediasoup worker: configuring with meson');
  await run('meson', ['setup', 'BUILD', '--buildtype', 'release', '-Db_ndebug=true', '-Db_pie=true', '-Db_staticpic=true', '--wrap-mode=nodownload'], worker);
  await run('ninja', ['-C', 'BUILD', 'mediasoup-worker'], worker, progressReporter());
  const bin = path.join(worker, 'BUILD', 'mediasoup-worker');
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(bin, `${dest}.tmp`);
  fs.chmodSync(`${dest}.tmp`, 0o755);
  fs.renameSync(`${dest}.tmp`, dest);
  fs.rmSync(buildRoot, { recursive: true, force: true });
}

function installInto(bin) {
  // mediasoup looks for worker/out/Release/mediasoup-worker when MEDIASOUP_WORKER_BIN is unset.
  const target = path.join(mediasoupDir(), 'worker', 'out', 'Release', 'mediasoup-worker');
  // By content: a patched build can have the same size as the one it replaces.
  const digest = (f) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');
  const same = fs.existsSync(target) && fs.statSync(target).size === fs.statSync(bin).size && digest(target) === digest(bin);
  if (same) return target;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(bin, `${target}.tmp`);
  fs.chmodSync(`${target}.tmp`, 0o755);
  fs.renameSync(`${target}.tmp`, target);
  return target;
}

const cachedPath = () => path.join(cacheRoot(), `mediasoup-worker-${cacheKey()}`, 'mediasoup-worker');

export async function ensureMediasoupWorker() {
  let cached = cachedPath();
  if (fs.existsSync(cached)) {
    step(`mediasoup worker: reusing cached build ${cached}`);
  } else {
    const started = Date.now();
    await build(cached);
    // The build installs its Debian packages, which changes the key: file the binary under the new key too,
    // or the next run would not find it and build again.
    const after = cachedPath();
    if (after !== cached) {
      fs.mkdirSync(path.dirname(after), { recursive: true });
      fs.copyFileSync(cached, after);
      cached = after;
    }
    step(`mediasoup worker: built in ${((Date.now() - started) / 1000).toFixed(0)} s, cached at ${cached}`);
  }
  return installInto(cached);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  ensureMediasoupWorker().then(
    (bin) => step(`mediasoup worker ready: ${bin}`),
    (err) => fail(err.message),
  );
}
