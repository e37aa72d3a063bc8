import { describe, expect, it } from 'vitest';
import { AssembledCache } from './playback-cache.js';

const item = (n: number) => ({ data: Buffer.alloc(n), contentType: 'video/webm' });
const meta = (recordingId: string, countyOnly = true, ms = 60_000) => ({ recordingId, countyOnly, expiresAt: new Date(Date.now() + ms) });

describe('AssembledCache', () => {
  it('keeps at most N entries and B bytes, least recently used out first', () => {
    const c = new AssembledCache(2, 100);
    c.put('a', meta('r1'), item(40));
    c.put('b', meta('r1'), item(40));
    expect(c.get('a')).toBeDefined(); // a is now the most recent
    c.put('c', meta('r2'), item(40)); // over 2 entries: b goes
    expect(c.get('b')).toBeUndefined();
    expect(c.size).toEqual({ entries: 2, bytes: 80 });
    c.put('d', meta('r2'), item(90)); // over 100 bytes: both others go
    expect(c.size).toEqual({ entries: 1, bytes: 90 });
    expect(c.put('e', meta('r3'), item(101))).toBe(false); // alone over the budget: not kept
    expect(c.get('e')).toBeUndefined();
    c.clear();
  });

  it('drops township copies of a recording, and never keeps an expired grant', () => {
    const c = new AssembledCache(4, 1000);
    c.put('county', meta('r1', true), item(10));
    c.put('township', meta('r1', false), item(10));
    c.dropTownship('r1');
    expect(c.get('township')).toBeUndefined();
    expect(c.get('county')).toBeDefined();
    expect(c.put('old', meta('r1', true, -1), item(10))).toBe(false);
    c.clear();
  });
});
