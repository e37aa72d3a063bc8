/**
 * Spoken prompts for people who may not read the screen. A prompt carries its sentence (for a browser voice)
 * and the ids of the pre-recorded clips that say the same (for a browser without one: Debian's Chromium has
 * no speech voices, so the kiosk ships Mandarin clips rendered at build time; numbers are composed from
 * digit clips). Clips chain through Web Audio on one timeline, so they never overlap, and every new prompt
 * cuts off the one before it.
 */
export interface Spoken {
  text: string;
  clips: readonly string[];
}

/** `public/prompts/manifest.json` as make-prompts.mjs writes it: clip id → file name beside it. */
interface Manifest {
  hash: string;
  clips: Record<string, string>;
}

const GAP_S = 0.06;
const REPEAT_PAUSE_S = 0.9;

function chineseVoice(): SpeechSynthesisVoice | undefined {
  const synth = typeof window !== 'undefined' ? window.speechSynthesis : undefined;
  const voices = synth?.getVoices() ?? [];
  // Prefer a mainland Mandarin voice, then any Chinese one.
  return (
    voices.find((v) => v.lang.toLowerCase() === 'zh-cn') ?? voices.find((v) => v.lang.toLowerCase().startsWith('zh') || v.lang.toLowerCase().startsWith('cmn'))
  );
}

export class PromptPlayer {
  private ctx: AudioContext | undefined;
  private manifest: Promise<Manifest | undefined> | undefined;
  private readonly buffers = new Map<string, Promise<AudioBuffer | undefined>>();
  private playing: AudioBufferSourceNode[] = [];
  /** Bumped by every say/stop: a prompt still loading when a newer one starts is dropped. */
  private generation = 0;

  /** `base` is the folder with manifest.json and the clips, e.g. `/kiosk/prompts/`. */
  constructor(private readonly base: string) {
    if (typeof window === 'undefined') return;
    // Without --autoplay-policy=no-user-gesture-required a context starts suspended: the first touch wakes it.
    const wake = () => void this.ctx?.resume().catch(() => {});
    window.addEventListener('pointerdown', wake, { capture: true });
    window.addEventListener('keydown', wake, { capture: true });
  }

  say(prompt: Spoken, opts: { repeat?: number } = {}): void {
    this.stop();
    const gen = this.generation;
    const repeat = Math.max(1, opts.repeat ?? 1);
    const voice = chineseVoice();
    if (voice) return this.speakWithVoice(prompt.text, voice, repeat);
    void this.playClips(prompt.clips, repeat, gen);
  }

  /**
   * Fetches and decodes these clips now, while the server answers: the prompts said when it does not (the network is
   * down, the call was lost) would otherwise be fetched only then, and fail. Kept for the page's life.
   */
  async preload(ids: readonly string[]): Promise<void> {
    const ctx = this.context();
    const manifest = ctx && (await this.loadManifest());
    if (!ctx || !manifest) return;
    await Promise.all(ids.map((id) => (manifest.clips[id] ? this.buffer(ctx, manifest.clips[id]) : undefined)));
  }

  stop(): void {
    this.generation++;
    if (typeof window !== 'undefined') window.speechSynthesis?.cancel();
    for (const s of this.playing) {
      try {
        s.stop();
      } catch {
        // never started: nothing to stop
      }
    }
    this.playing = [];
  }

  private speakWithVoice(text: string, voice: SpeechSynthesisVoice, repeat: number): void {
    for (let i = 0; i < repeat; i++) {
      const u = new SpeechSynthesisUtterance(text);
      u.lang = voice.lang;
      u.voice = voice;
      u.rate = 0.85;
      window.speechSynthesis.speak(u);
    }
  }

  private context(): AudioContext | undefined {
    if (typeof window === 'undefined' || typeof AudioContext === 'undefined') return undefined;
    this.ctx ??= new AudioContext({ latencyHint: 'playback' });
    if (this.ctx.state === 'suspended') void this.ctx.resume().catch(() => {});
    return this.ctx;
  }

  private loadManifest(): Promise<Manifest | undefined> {
    // no-cache: after an upgrade the clip names change, and the manifest must not be an hour stale.
    this.manifest ??= fetch(`${this.base}manifest.json`, { cache: 'no-cache' })
      .then((r) => (r.ok ? (r.json() as Promise<Manifest>) : undefined))
      .catch(() => undefined);
    return this.manifest.then((m) => {
      if (!m) this.manifest = undefined; // try again next time (the server may have been down)
      return m;
    });
  }

  private buffer(ctx: AudioContext, file: string): Promise<AudioBuffer | undefined> {
    let b = this.buffers.get(file);
    if (!b) {
      b = fetch(`${this.base}${file}`)
        .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(String(r.status)))))
        .then((data) => ctx.decodeAudioData(data))
        .catch(() => {
          this.buffers.delete(file);
          return undefined;
        });
      this.buffers.set(file, b);
    }
    return b;
  }

  private async playClips(ids: readonly string[], repeat: number, gen: number): Promise<void> {
    const ctx = this.context();
    if (!ctx) return;
    const manifest = await this.loadManifest();
    if (!manifest || gen !== this.generation) return;
    const buffers = await Promise.all(ids.map((id) => (manifest.clips[id] ? this.buffer(ctx, manifest.clips[id]) : Promise.resolve(undefined))));
    if (gen !== this.generation) return;
    let at = ctx.currentTime + 0.05;
    for (let i = 0; i < repeat; i++) {
      if (i > 0) at += REPEAT_PAUSE_S;
      for (const buf of buffers) {
        if (!buf) continue;
        const src = ctx.createBufferSource();
        src.buffer = buf;
        src.connect(ctx.destination);
        src.start(at);
        src.onended = () => (this.playing = this.playing.filter((s) => s !== src));
        this.playing.push(src);
        at += buf.duration + GAP_S;
      }
    }
  }
}
