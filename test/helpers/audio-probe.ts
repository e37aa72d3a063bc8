import type { Page } from 'puppeteer-core';
import { waitFor } from './poll.js';

/** What the page's probe has measured so far (see installAudioProbe). */
export interface AudioLog {
  /** Windows measured (about every 40 ms), and how many of them carried sound (RMS above -40 dBFS) at the speakers. */
  windows: number;
  loud: number;
  /** Milliseconds of sound, by the time between measurements (timers may run late on a busy machine). */
  loudMs: number;
  /** performance.now() of the last loud window. */
  lastLoudAt: number;
  /** Each clip started on the page: when it plays and, if cut off, when it stopped (AudioContext seconds). */
  clips: { at: number; duration: number; stoppedAt: number | null }[];
}

/**
 * Measures what a page actually sends to its speakers, with no hook in the app: every Web Audio connection to
 * the destination is routed through an AnalyserNode, whose samples are read every 40 ms. A prompt that was
 * "played" but is silent, missing or undecodable never shows up here. Also logs when each clip starts and
 * stops, so a test can check that clips never overlap. Install before the page loads.
 */
export async function installAudioProbe(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(probe);
}

/**
 * The same probe on a page already open (a call in progress): every clip connects to the speakers when it is played,
 * so what is played from now on is heard by it. Installed once per page.
 */
export async function installAudioProbeNow(page: Page): Promise<void> {
  await page.evaluate(probe);
}

function probe(): void {
  {
    if ((window as unknown as { __vjAudio?: unknown }).__vjAudio) return;
    const log = { windows: 0, loud: 0, loudMs: 0, lastLoudAt: 0, clips: [] as { at: number; duration: number; stoppedAt: number | null }[] };
    (window as unknown as { __vjAudio: typeof log }).__vjAudio = log;
    const connect = AudioNode.prototype.connect as (this: AudioNode, dest: AudioNode | AudioParam, ...rest: number[]) => AudioNode | undefined;
    const taps = new WeakMap<BaseAudioContext, AnalyserNode>();
    const tap = (ctx: BaseAudioContext): AnalyserNode => {
      const known = taps.get(ctx);
      if (known) return known;
      const analyser = ctx.createAnalyser();
      analyser.fftSize = 2048;
      connect.call(analyser, ctx.destination);
      taps.set(ctx, analyser);
      const buf = new Float32Array(analyser.fftSize);
      let last = performance.now();
      setInterval(() => {
        const now = performance.now();
        // One read sees the last 2048 samples (~43 ms): count at most that much per read.
        const span = Math.min(now - last, (analyser.fftSize / ctx.sampleRate) * 1000);
        last = now;
        analyser.getFloatTimeDomainData(buf);
        let sum = 0;
        for (const v of buf) sum += v * v;
        log.windows++;
        if (Math.sqrt(sum / buf.length) > 0.01) {
          log.loud++;
          log.loudMs += span;
          log.lastLoudAt = now;
        }
      }, 40);
      return analyser;
    };
    AudioNode.prototype.connect = function (this: AudioNode, dest: AudioNode | AudioParam, ...rest: number[]) {
      return connect.call(this, dest instanceof AudioDestinationNode ? tap(this.context) : dest, ...rest);
    } as typeof AudioNode.prototype.connect;
    const start = AudioBufferSourceNode.prototype.start;
    const stop = AudioBufferSourceNode.prototype.stop;
    const entries = new WeakMap<AudioBufferSourceNode, { at: number; duration: number; stoppedAt: number | null }>();
    AudioBufferSourceNode.prototype.start = function (this: AudioBufferSourceNode, when = 0, ...rest: number[]) {
      const entry = { at: Math.max(when, this.context.currentTime), duration: this.buffer?.duration ?? 0, stoppedAt: null };
      entries.set(this, entry);
      log.clips.push(entry);
      return start.call(this, when, ...rest);
    } as typeof AudioBufferSourceNode.prototype.start;
    AudioBufferSourceNode.prototype.stop = function (this: AudioBufferSourceNode, when = 0) {
      const entry = entries.get(this);
      if (entry && entry.stoppedAt === null) entry.stoppedAt = Math.max(when, this.context.currentTime);
      return stop.call(this, when);
    } as typeof AudioBufferSourceNode.prototype.stop;
  }
}

export async function audioLog(page: Page): Promise<AudioLog> {
  return page.evaluate(() => (window as unknown as { __vjAudio: AudioLog }).__vjAudio);
}

/** Waits until the page has been silent for `quietMs` (the prompt before has finished). */
export async function waitForSilence(page: Page, what: string, quietMs = 700, timeoutMs = 30_000): Promise<AudioLog> {
  return waitFor(
    `silence before ${what}`,
    async () => {
      const [log, now] = await Promise.all([audioLog(page), page.evaluate(() => performance.now())]);
      return now - log.lastLoudAt > quietMs ? log : undefined;
    },
    { timeoutMs },
  );
}

/**
 * After `action`, the page must play at least `minMs` of sound: measured from a silent start, so it is the new
 * prompt that is heard and not the tail of the one before. Returns how long the page was loud.
 */
export async function expectSpoken(page: Page, what: string, action: () => Promise<unknown>, minMs = 400, timeoutMs = 20_000): Promise<number> {
  const before = await waitForSilence(page, what);
  await action();
  const after = await waitFor(
    `${what} heard (≥ ${minMs} ms of sound)`,
    async () => {
      const log = await audioLog(page);
      return log.loudMs - before.loudMs >= minMs ? log : undefined;
    },
    { timeoutMs },
  );
  return after.loudMs - before.loudMs;
}

/**
 * Loud milliseconds from `from` until the page falls silent again. It first waits for the sound to begin: on a
 * busy machine the clips may start well after the screen changed, and a page that has not started yet is
 * already "silent".
 */
export async function soundUntilSilence(page: Page, what: string, from: AudioLog, timeoutMs = 60_000): Promise<number> {
  await waitFor(`${what} begins`, async () => (await audioLog(page)).loudMs > from.loudMs, { timeoutMs: 20_000 });
  const end = await waitForSilence(page, `${what} ends`, 1500, timeoutMs);
  return end.loudMs - from.loudMs;
}

/** Clips that played over one another (cut-off clips end where they were stopped): should be none. */
export function overlappingClips(log: AudioLog): number {
  const spans = log.clips
    .map((c) => ({ from: c.at, to: Math.min(c.at + c.duration, c.stoppedAt ?? Infinity) }))
    .filter((s) => s.to > s.from)
    .sort((a, b) => a.from - b.from);
  let overlaps = 0;
  let end = -Infinity;
  for (const s of spans) {
    if (s.from < end - 0.01) overlaps++;
    end = Math.max(end, s.to);
  }
  return overlaps;
}
