import { afterEach, describe, expect, it, vi } from 'vitest';
import { STALL_MS, STARTUP_MS, StallWatch } from './stall-watch.js';

/** A hand-driven monotonic clock. */
function fakeClock() {
  let t = 1_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('the recorder stall check', () => {
  afterEach(() => vi.useRealTimers());

  it('is not fooled by a forward step of the wall clock (NTP): durations come from the monotonic clock', () => {
    const w = new StallWatch(); // the default clock
    expect(w.look(5_000, true)).toBe('growing');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 3_600_000);
    expect(w.look(5_000, true)).toBe('quiet');
    expect(w.silentMs).toBeLessThan(1_000);
  });

  it('raises a real stall after STALL_MS of watched time with packets arriving and no bytes', () => {
    const c = fakeClock();
    const w = new StallWatch(c.now);
    expect(w.look(4_000, true)).toBe('growing');
    const looks: string[] = [];
    for (let i = 0; i < 6; i++) {
      c.advance(1_000);
      looks.push(w.look(4_000, true));
    }
    // Silent for 1…6 s: quiet up to and including 4 s, stalled beyond it.
    expect(looks).toEqual(['quiet', 'quiet', 'quiet', 'quiet', 'stalled', 'stalled']);
    c.advance(1_000);
    expect(w.look(9_000, true)).toBe('growing');
  });

  it('does not count the time a late timer missed (a saturated machine) as silence, yet still catches a stall that goes on', () => {
    const c = fakeClock();
    const w = new StallWatch(c.now);
    expect(w.look(4_000, true)).toBe('growing');
    // The check itself could not run for 6 s: nobody watched, so that is no evidence of a stall.
    c.advance(6_000);
    expect(w.look(4_000, true)).toBe('quiet');
    // A recorder that really stopped is still reported after STALL_MS of watched time.
    const looks: string[] = [];
    for (let i = 0; i < 5; i++) {
      c.advance(1_000);
      looks.push(w.look(4_000, true));
    }
    expect(looks.indexOf('stalled')).toBeGreaterThanOrEqual(3);
    expect(looks.at(-1)).toBe('stalled');
    expect(STALL_MS).toBe(4_000);
  });

  it('no packets, no stall; a fresh recorder gets its start-up allowance', () => {
    const c = fakeClock();
    const w = new StallWatch(c.now);
    const looks: string[] = [];
    for (let i = 0; i < 11; i++) {
      c.advance(1_000);
      looks.push(w.look(0, true));
    }
    // Nothing written yet: quiet through STARTUP_MS (10 s), stalled after it.
    expect(looks.slice(0, 10).every((l) => l === 'quiet')).toBe(true);
    expect(looks[10]).toBe('stalled');
    expect(w.silentMs).toBeGreaterThan(STARTUP_MS);
    const idle = new StallWatch(c.now);
    idle.look(3_000, false);
    for (let i = 0; i < 8; i++) {
      c.advance(1_000);
      expect(idle.look(3_000, false)).toBe('quiet');
    }
  });
});

describe('a recorder starved of CPU', () => {
  it('is not reported while it waits for a CPU, and is once it runs and still writes nothing', () => {
    const c = fakeClock();
    const w = new StallWatch(c.now);
    expect(w.look(4_000, true)).toBe('growing');
    for (let i = 0; i < 8; i++) {
      c.advance(1_000);
      expect(w.look(4_000, true, true)).toBe('quiet');
    }
    const looks: string[] = [];
    for (let i = 0; i < 5; i++) {
      c.advance(1_000);
      looks.push(w.look(4_000, true, false));
    }
    expect(looks.at(-1)).toBe('stalled');
  });
});
