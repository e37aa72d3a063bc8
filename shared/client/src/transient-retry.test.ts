import { describe, expect, it } from 'vitest';
import { AppError } from '@vj/shared';
import { retryTransient } from './transient-retry.js';

const noSleep = async () => {};

describe('retryTransient: a passing failure is tried again, a refusal is not', () => {
  it('tries again after UNAVAILABLE (a node taken over mid-request) until it works', async () => {
    let calls = 0;
    const r = await retryTransient(
      async () => {
        if (++calls < 3) throw new AppError('UNAVAILABLE', '暂时连不上服务器，请稍后再试。');
        return 'track';
      },
      () => true,
      [10, 10, 10],
      noSleep,
    );
    expect(r).toBe('track');
    expect(calls).toBe(3);
  });

  it('does not try again after a refusal (the producer is gone)', async () => {
    let calls = 0;
    const attempt = async () => {
      calls++;
      throw new AppError('NOT_FOUND', '没有找到。');
    };
    await expect(retryTransient(attempt, () => true, [10, 10], noSleep)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(calls).toBe(1);
  });

  it('gives up with the last error when the pauses run out', async () => {
    let calls = 0;
    const attempt = async () => {
      calls++;
      throw new AppError('SFU_TIMEOUT', '超时。');
    };
    await expect(retryTransient(attempt, () => true, [1, 1], noSleep)).rejects.toMatchObject({ code: 'SFU_TIMEOUT' });
    expect(calls).toBe(3);
  });

  it('stops quietly once the result is no longer wanted (dropped, rebuilt, closed)', async () => {
    let calls = 0;
    let wanted = true;
    const attempt = async () => {
      calls++;
      wanted = false;
      throw new AppError('UNAVAILABLE', '暂时连不上服务器，请稍后再试。');
    };
    await expect(retryTransient(attempt, () => wanted, [1, 1, 1], noSleep)).resolves.toBeUndefined();
    expect(calls).toBe(1);
  });
});
