import { describe, expect, it } from 'vitest';
import { AppError, type JoinAnswer } from '@vj/shared';
import type { SignalChannel } from './channel.js';
import { rejoinSession, worthRetrying } from './rejoin.js';

const answer = { peerId: 'p1', media: 'kept', reconnectGraceMs: 60_000 } as unknown as JoinAnswer;

/** A channel whose session:rejoin fails with each of `failures` in turn, then answers. */
function channelFailing(failures: unknown[]): SignalChannel & { calls: number } {
  const c = {
    calls: 0,
    async request() {
      const f = failures[c.calls++];
      if (f !== undefined) throw f;
      return answer;
    },
  };
  return c as unknown as SignalChannel & { calls: number };
}

const noPause = async () => {};

describe('rejoinSession: only the server’s own answer ends a call', () => {
  it('tries again after a timeout, a busy node or SFU, and answers once the server does', async () => {
    const ch = channelFailing([new AppError('UNAVAILABLE', '网络'), new AppError('NODE_TIMEOUT', '节点'), new AppError('SFU_TIMEOUT', '媒体')]);
    await expect(rejoinSession(ch, 's1', { wanted: () => true, pause: noPause })).resolves.toBe(answer);
    expect(ch.calls).toBe(4);
  });

  it('takes “no such session” and a refusal at once, without asking again', async () => {
    for (const code of ['NOT_FOUND', 'FORBIDDEN'] as const) {
      const ch = channelFailing([new AppError(code, '不在')]);
      await expect(rejoinSession(ch, 's1', { wanted: () => true, pause: noPause })).rejects.toMatchObject({ code });
      expect(ch.calls).toBe(1);
    }
  });

  it('stops asking once the call is no longer wanted here (the socket dropped, the user hung up)', async () => {
    let wanted = true;
    const ch = channelFailing([new AppError('UNAVAILABLE', '网络'), new AppError('UNAVAILABLE', '网络')]);
    const pause = async () => void (wanted = false);
    await expect(rejoinSession(ch, 's1', { wanted: () => wanted, pause })).resolves.toBeUndefined();
    expect(ch.calls).toBe(1);
  });

  it('gives up with the last failure when the time runs out', async () => {
    const ch = channelFailing(Array.from({ length: 100 }, () => new AppError('UNAVAILABLE', '网络')));
    const pause = () => new Promise<void>((r) => setTimeout(r, 5));
    await expect(rejoinSession(ch, 's1', { wanted: () => true, forMs: 30, pause })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(ch.calls).toBeGreaterThan(1);
    expect(ch.calls).toBeLessThan(100);
  });

  it('worthRetrying: 5xx (not an integrity failure) and rate limits, never a 4xx', () => {
    expect(worthRetrying(new AppError('INTERNAL', 'x'))).toBe(true);
    expect(worthRetrying(new AppError('RATE_LIMITED', 'x'))).toBe(true);
    expect(worthRetrying(new AppError('INTEGRITY', 'x'))).toBe(false);
    expect(worthRetrying(new AppError('INVALID_STATE', 'x'))).toBe(false);
    expect(worthRetrying(new Error('socket'))).toBe(true);
  });
});
