import { AppError, ERROR_CODES, type JoinAnswer } from '@vj/shared';
import type { SignalChannel } from './channel.js';

/**
 * Whether a failed request says nothing about what was asked: the server, a node or the SFU behind it did not
 * answer in time or failed for a moment. A 4xx (no such session, refused) is the server's answer and stands.
 */
export function worthRetrying(err: unknown): boolean {
  if (!(err instanceof AppError)) return true;
  return err.code === 'RATE_LIMITED' || (ERROR_CODES[err.code] >= 500 && err.code !== 'INTEGRITY');
}

export interface RejoinOptions {
  /** Stop trying once this is false (the socket dropped, the user hung up): the next connect rejoins anew. */
  wanted: () => boolean;
  /** How long to keep trying: past the server's reconnect grace the session is over there anyway. */
  forMs?: number;
  /** The pause before try `attempt` (1, 2, …); replaced in tests. */
  pause?: (attempt: number) => Promise<void>;
}

const backOff = (attempt: number) => new Promise<void>((r) => setTimeout(r, Math.min(4_000, 500 * 2 ** (attempt - 1))));

/**
 * `session:rejoin`, sent again after a failure that says nothing about the session. Before, any failure was taken
 * for "the server ended it": a request that timed out while a node was busy rebuilding a lost SFU worker's media
 * ended a call nobody had hung up, on that screen only. Resolves with the answer, or undefined once `wanted()`
 * turns false; rejects with the server's refusal (the session is gone), or the last failure when time ran out.
 */
export async function rejoinSession(channel: SignalChannel, sessionId: string, opts: RejoinOptions): Promise<JoinAnswer | undefined> {
  const until = Date.now() + (opts.forMs ?? 60_000);
  const pause = opts.pause ?? backOff;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) await pause(attempt);
    if (!opts.wanted()) return undefined;
    try {
      return await channel.request('session:rejoin', { sessionId });
    } catch (err) {
      if (!worthRetrying(err) || Date.now() >= until) throw err;
      console.warn('rejoin failed; trying again', err instanceof AppError ? err.code : String(err));
    }
  }
}
