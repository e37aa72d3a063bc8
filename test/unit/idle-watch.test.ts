import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleWatch } from '../../county-console/src/idle-watch.js';

// The console's idle logout, on a fake clock: warn, give up, and never while a call is on.
describe('IdleWatch', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal('window', new EventTarget());
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  const watch = (busy = () => false) => {
    const warned: (number | undefined)[] = [];
    let idle = 0;
    const w = new IdleWatch(
      900,
      busy,
      (s) => warned.push(s),
      () => idle++,
    );
    w.start();
    return { w, warned, idle: () => idle };
  };

  it('warns in the last minute and logs out at the timeout', () => {
    const { warned, idle } = watch();
    vi.advanceTimersByTime(839_000);
    expect(warned).toEqual([]);
    vi.advanceTimersByTime(2000);
    expect(warned.at(-1)).toBe(59);
    vi.advanceTimersByTime(60_000);
    expect(idle()).toBe(1);
  });

  it('any input takes the warning away and starts the count again', () => {
    const { warned, idle } = watch();
    vi.advanceTimersByTime(850_000);
    window.dispatchEvent(new Event('keydown'));
    expect(warned.at(-1)).toBeUndefined();
    vi.advanceTimersByTime(800_000);
    expect(idle()).toBe(0);
  });

  it('never logs out during a call', () => {
    const { warned, idle } = watch(() => true);
    vi.advanceTimersByTime(3 * 900_000);
    expect(idle()).toBe(0);
    expect(warned).toEqual([]);
  });
});
