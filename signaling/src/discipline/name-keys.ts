import { pinyin } from 'pinyin-pro';

/**
 * The pinyin keys a name is found by: toneless syllables ("wang jian guo") for homophones (王建国 / 汪剑国) and
 * the initials ("wjg") for 首字母 search. Surname readings come first (单 shàn, 曾 zēng, 解 xiè), as the
 * personnel clerk reads them; pinyin-pro ships its dictionary, nothing is fetched at run time.
 */
export function nameKeys(name: string): { pinyin: string; initials: string } {
  const syllables = pinyin(name, { toneType: 'none', type: 'array', surname: 'head', nonZh: 'removed', v: true });
  const clean = syllables.map((s) => s.toLowerCase().replace(/[^a-z]/g, '')).filter(Boolean);
  return { pinyin: clean.join(' '), initials: clean.map((s) => s[0]).join('') };
}

/** Latin letters only (with spaces or apostrophes between syllables): the query is pinyin, full or initials. */
export const isPinyinQuery = (q: string): boolean => /^[a-zA-Z][a-zA-Z' ]*$/.test(q);
export const compactPinyin = (q: string): string => q.toLowerCase().replace(/[^a-z]/g, '');
