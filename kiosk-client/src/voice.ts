import { PromptPlayer } from '@vj/client';
import { SAY, type Prompt } from './strings';

/**
 * The kiosk's one voice: a Chinese browser voice where there is one, otherwise the Mandarin clips that
 * scripts/make-prompts.mjs rendered into public/prompts/. Each prompt cuts off the one before it.
 */
const player = new PromptPlayer(`${import.meta.env.BASE_URL}prompts/`);

/** What the kiosk says when it cannot reach the server: loaded while it can (see PromptPlayer.preload). */
const SAID_OFFLINE = [SAY.reconnecting, SAY.trouble.offline, SAY.trouble.server, SAY.endedLost, SAY.ended, SAY.endedUnanswered];

/** Loads the clips of SAID_OFFLINE; again after a failure (the server may have been down when the page came up). */
export const preloadOfflinePrompts = (): Promise<void> => player.preload(SAID_OFFLINE.flatMap((p) => p.clips));

/** Roughly how long a prompt takes to say: the clips run 0.34-0.39 s a character (ffprobe), so 0.4 s. */
export const sayingMs = (prompt: Prompt, repeat = 1) => prompt.text.length * 400 * repeat;
let busyUntil = 0;

export const say = (prompt: Prompt, opts: { repeat?: number } = {}): void => {
  busyUntil = Date.now() + sayingMs(prompt, Math.max(1, opts.repeat ?? 1));
  player.say(prompt, opts);
};

/**
 * For news that can wait (the line's quality): said only when nothing else is being said, so it never cuts off a
 * receipt being read out or the notice of who is watching. Returns whether it was said.
 */
export const sayIfQuiet = (prompt: Prompt): boolean => {
  if (Date.now() < busyUntil) return false;
  say(prompt);
  return true;
};
export const hush = (): void => player.stop();
