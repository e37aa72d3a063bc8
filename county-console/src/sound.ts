let ctx: AudioContext | undefined;

/** Two short tones for a new call; WebAudio needs no asset and works offline. */
export function beep(): void {
  try {
    ctx ??= new AudioContext();
    const start = ctx.currentTime;
    for (const [i, freq] of [880, 1175].entries()) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.15, start + i * 0.25);
      gain.gain.exponentialRampToValueAtTime(0.001, start + i * 0.25 + 0.22);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start + i * 0.25);
      osc.stop(start + i * 0.25 + 0.23);
    }
  } catch {
    /* no audio device: the queue still shows the call */
  }
}
