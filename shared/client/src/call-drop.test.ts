import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '@vj/shared';
import { Departures, DropWatch } from './call-drop.js';
import { ICE_RESTART_WITHIN_MS, resumePlan } from './media-session.js';
import type { SignalChannel } from './channel.js';

describe('resumePlan: ICE restart only on transports both ends still hold', () => {
  it('rebuilds when the server holds none (a restarted server), whatever the client has', () => {
    expect(resumePlan('fresh', { healthy: true }, 1_000)).toBe('rebuild');
  });
  it('restarts ICE after a short drop on healthy transports the server kept', () => {
    expect(resumePlan('kept', { healthy: true }, 1_000)).toBe('ice_restart');
  });
  it('rebuilds after a long drop, a failed transport, or with no transports at all (a reload)', () => {
    expect(resumePlan('kept', { healthy: true }, ICE_RESTART_WITHIN_MS)).toBe('rebuild');
    expect(resumePlan('kept', { healthy: false }, 1_000)).toBe('rebuild');
    expect(resumePlan('kept', undefined, 1_000)).toBe('rebuild');
  });
});

describe('DropWatch: gives a call up only when the server stays out of reach past the grace period', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('gives up at the grace period counted from the first drop, once', () => {
    const gaveUp = vi.fn();
    const w = new DropWatch(gaveUp);
    w.dropped(5_000);
    vi.advanceTimersByTime(3_000);
    w.dropped(5_000); // a second disconnect event of the same outage does not restart the clock
    vi.advanceTimersByTime(1_999);
    expect(gaveUp).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(gaveUp).toHaveBeenCalledTimes(1);
  });

  it('does not give up once the server was reached, and reports how long we were away', () => {
    const gaveUp = vi.fn();
    const w = new DropWatch(gaveUp);
    expect(w.reached()).toBe(Infinity);
    w.dropped(5_000);
    vi.advanceTimersByTime(4_000);
    expect(w.reached()).toBe(4_000);
    vi.advanceTimersByTime(10_000);
    expect(gaveUp).not.toHaveBeenCalled();
    expect(w.away).toBe(false);
  });
});

describe('Departures: calls left during an outage reach the server once it is back', () => {
  it('sends each once, keeps one the server did not answer, and never forgets that it was left', async () => {
    const sent: unknown[] = [];
    let reachable = false;
    const channel = {
      request: async (event: string, payload: unknown) => {
        if (!reachable) throw new AppError('UNAVAILABLE', 'no answer');
        sent.push([event, payload]);
        return {};
      },
    } as unknown as SignalChannel;
    const d = new Departures();
    d.add('s1', 'hang_up');
    await d.flush(channel);
    expect(sent).toEqual([]);
    reachable = true;
    await d.flush(channel);
    await d.flush(channel);
    expect(sent).toEqual([['session:departed', { sessionId: 's1', how: 'hang_up' }]]);
    expect(d.has('s1')).toBe(true);
  });
});
