import { AppError, type ErrorCode } from '@vj/shared';

/**
 * Codes that say "not now" rather than "no": the socket was away or its request timed out, another node or the
 * SFU did not answer in time (a node being taken over). Anything else (the producer is gone, no right to it)
 * will answer the same next time.
 */
const TRANSIENT: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['UNAVAILABLE', 'SFU_TIMEOUT', 'NODE_TIMEOUT', 'SFU_ERROR']);

export const isTransient = (err: unknown): boolean => err instanceof AppError && TRANSIENT.has(err.code);

/** Pauses between tries: about 15 s in all, longer than a node takeover, shorter than the call's own grace. */
export const RETRY_PAUSES_MS: readonly number[] = [500, 1_000, 2_000, 4_000, 8_000];

/**
 * Runs `attempt`, and again after each pause while it fails with a transient code and the result is still
 * `wanted`. Resolves undefined when it stopped being wanted; rejects with the last error when that error is not
 * transient or the pauses ran out.
 */
export async function retryTransient<T>(
  attempt: () => Promise<T>,
  wanted: () => boolean,
  pauses: readonly number[] = RETRY_PAUSES_MS,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<T | undefined> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!isTransient(err) || i >= pauses.length) throw err;
      await sleep(pauses[i]!);
      if (!wanted()) return undefined;
    }
  }
}
