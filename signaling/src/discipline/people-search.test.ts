import { describe, expect, it } from 'vitest';
import { prefixEnd, searchCondition, type PeopleSearch } from './people-search.js';

const ask = (q: string): PeopleSearch => ({ by: 'name', q, disciplined: '0', limit: 50 });
const noKeys = undefined as never;

describe('people search statements', () => {
  it('turns a prefix into the range of every string that begins with it, in bytewise order', () => {
    expect(prefixEnd('wj')).toBe('wk');
    expect(prefixEnd('z')).toBe('{');
    expect(prefixEnd('王建')).toBe('王廻');
    expect(prefixEnd('wang jian guo ')).toBe('wang jian guo!');
    // A character outside the basic plane is one code point, not two halves.
    expect(prefixEnd('𠀀')).toBe('𠀁');
    const sorted = (xs: string[]) => [...xs].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const [prefix, inside, outside] of [
      ['wj', 'wjzzz', 'wk'],
      ['王建', '王建国', '王廻'],
    ] as const) {
      expect(sorted([prefixEnd(prefix), inside, prefix])).toEqual([prefix, inside, prefixEnd(prefix)]);
      expect(Buffer.compare(Buffer.from(outside), Buffer.from(prefixEnd(prefix)))).toBeGreaterThanOrEqual(0);
    }
  });

  it('gives every statement text its own shape name, and one shape one text', () => {
    const texts = new Map<string, string>();
    for (const q of ['王建国', '易某', 'wj', 'z', 'wangjianguo', "wang'jian"]) {
      const c = searchCondition(noKeys, ask(q));
      const text = JSON.stringify(c.parts);
      const seen = texts.get(c.shape);
      if (seen) expect(text, q).toBe(seen);
      texts.set(c.shape, text);
    }
    expect([...texts.keys()].sort()).toEqual(['letter', 'name', 'pinyin']);
  });
});
