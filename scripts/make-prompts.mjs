// Renders the kiosk's spoken prompts to Mandarin audio clips at build time, so a kiosk speaks without any
// browser voice (Debian's Chromium has none). Text: the CLIPS table in kiosk-client/src/strings.ts. Voice:
// espeak-ng's Mandarin (`-v cmn`). Encoding: Opus in Ogg via ffmpeg, silence trimmed so clips chain tightly.
// Output: kiosk-client/public/prompts/ (git-ignored; Vite copies it into dist). manifest.json there maps clip
// id → file and carries a hash of everything that shapes the audio: when it matches, nothing is redone.
// Run by scripts/setup.mjs; by hand: `node scripts/make-prompts.mjs`.
import { Buffer } from 'node:buffer';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STRINGS = path.join(ROOT, 'kiosk-client', 'src', 'strings.ts');
const OUT = path.join(ROOT, 'kiosk-client', 'public', 'prompts');
/** Bump when the rendering below changes in a way the hash of its arguments would not show. */
const RENDER_VERSION = 2;
// Just under espeak's default pace (175): many listeners are elderly, and cmn counts each character as a word.
const ESPEAK_ARGS = ['-v', 'cmn', '-s', '170', '-a', '180', '-p', '45'];
const TRIM = 'silenceremove=start_periods=1:start_threshold=-45dB,areverse,silenceremove=start_periods=1:start_threshold=-45dB,areverse';
const FFMPEG_ARGS = ['-af', TRIM, '-c:a', 'libopus', '-b:a', '32k', '-ac', '1', '-ar', '48000'];

const log = (msg) => process.stdout.write(`[prompts] ${msg}\n`);

/** strings.ts has no imports: TypeScript's own transpiler turns it into a module Node can load directly. */
async function loadClips() {
  const ts = (await import(pathToFileURL(path.join(ROOT, 'node_modules', 'typescript', 'lib', 'typescript.js')).href)).default;
  const js = ts.transpileModule(fs.readFileSync(STRINGS, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const mod = await import(`data:text/javascript;base64,${Buffer.from(js).toString('base64')}`);
  return mod.CLIPS;
}

const have = (cmd, flag) => spawnSync(cmd, [flag], { stdio: 'ignore' }).status === 0;
const sha = (s) => createHash('sha256').update(s).digest('hex');

function render(text, file) {
  return new Promise((resolve, reject) => {
    const espeak = spawn('espeak-ng', [...ESPEAK_ARGS, '--stdout', text], { stdio: ['ignore', 'pipe', 'inherit'] });
    const ffmpeg = spawn('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'wav', '-i', 'pipe:0', ...FFMPEG_ARGS, file], { stdio: ['pipe', 'inherit', 'inherit'] });
    espeak.stdout.pipe(ffmpeg.stdin);
    espeak.on('error', reject);
    ffmpeg.on('error', reject);
    ffmpeg.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code} for ${path.basename(file)}`))));
  });
}

/** Makes the clips if the phrase list or the rendering changed; returns true when files were (re)written. */
export async function ensurePrompts() {
  const version = spawnSync('espeak-ng', ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? '';
  const rendering = JSON.stringify({ ESPEAK_ARGS, FFMPEG_ARGS, RENDER_VERSION, version });
  // The stamp: the phrase file and the rendering settings. A match needs no TypeScript and no audio work.
  const hash = sha(`${rendering}\n${fs.readFileSync(STRINGS, 'utf8')}`);
  const manifestPath = path.join(OUT, 'manifest.json');
  const old = fs.existsSync(manifestPath) ? JSON.parse(fs.readFileSync(manifestPath, 'utf8')) : undefined;
  if (old?.hash === hash && Object.values(old.clips).every((f) => fs.existsSync(path.join(OUT, f)))) {
    log('kiosk prompts: up to date');
    return false;
  }
  if (!have('espeak-ng', '--version') || !have('ffmpeg', '-version')) {
    log('kiosk prompts: espeak-ng or ffmpeg missing (apt-get install espeak-ng ffmpeg); the kiosk will speak only where the browser has a Chinese voice');
    return false;
  }
  const clips = await loadClips();
  fs.mkdirSync(OUT, { recursive: true });
  const entries = Object.entries(clips);
  log(`kiosk prompts: ${entries.length} Mandarin clips, rendering the new ones with espeak-ng…`);
  const files = {};
  // Clip files are named by their own text and rendering: an edit renders only the clips it changed, and a
  // browser never keeps a stale clip under a new text.
  for (const [id, text] of entries) files[id] = `${id}.${sha(`${rendering}\n${text}`).slice(0, 10)}.ogg`;
  const queue = entries.filter(([id]) => !fs.existsSync(path.join(OUT, files[id])));
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) await render(next[1], path.join(OUT, files[next[0]]));
  };
  await Promise.all([worker(), worker()]);
  const keep = new Set([...Object.values(files), 'manifest.json']);
  for (const f of fs.readdirSync(OUT)) if (!keep.has(f)) fs.rmSync(path.join(OUT, f), { force: true });
  // The manifest goes last: it is the stamp, so an interrupted run is redone next time.
  fs.writeFileSync(manifestPath, `${JSON.stringify({ hash, clips: files }, null, 1)}\n`);
  log(`kiosk prompts: ${entries.length} clips in ${path.relative(ROOT, OUT)}`);
  return true;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  ensurePrompts().catch((err) => {
    process.stderr.write(`[prompts] failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
