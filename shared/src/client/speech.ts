/**
 * Speaks a prompt in Mandarin where the browser has a Chinese voice. Elderly villagers may not read the
 * screen, so every state change is also said aloud; without a voice this is silent and the text remains.
 */
export function speak(text: string, opts: { repeat?: number } = {}): void {
  const synth = typeof window !== 'undefined' ? window.speechSynthesis : undefined;
  if (!synth) return;
  const voice = synth.getVoices().find((v) => v.lang.toLowerCase().startsWith('zh'));
  synth.cancel();
  for (let i = 0; i < (opts.repeat ?? 1); i++) {
    const u = new SpeechSynthesisUtterance(text);
    u.lang = 'zh-CN';
    u.rate = 0.85;
    if (voice) u.voice = voice;
    synth.speak(u);
  }
}
