import { PromptPlayer } from '@vj/shared/client';
import type { Prompt } from './strings';

/**
 * The kiosk's one voice: a Chinese browser voice where there is one, otherwise the Mandarin clips that
 * scripts/make-prompts.mjs rendered into public/prompts/. Each prompt cuts off the one before it.
 */
const player = new PromptPlayer(`${import.meta.env.BASE_URL}prompts/`);

export const say = (prompt: Prompt, opts: { repeat?: number } = {}): void => player.say(prompt, opts);
export const hush = (): void => player.stop();
