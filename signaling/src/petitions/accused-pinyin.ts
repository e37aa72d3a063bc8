import type { Db } from '../db/db.js';
import { nameKeys } from '../discipline/name-keys.js';

/**
 * Accused persons written without the pinyin of their name (petitions from before migration 0028, or filed by an
 * older node) get it, so a staff account named by a homophone is recognised in old matters too (conflicts.ts).
 * Run at start; a no-op once every Chinese name has its key.
 */
export async function backfillAccusedPinyin(db: Db): Promise<number> {
  let done = 0;
  for (;;) {
    const r = await db.query<{ id: string; name: string }>(
      `SELECT id, name FROM petition_accused WHERE name_pinyin = '' AND name ~ '[一-龥]' ORDER BY id LIMIT 2000`,
    );
    if (!r.rows.length) return done;
    const keys = r.rows.map((a) => nameKeys(a.name).pinyin);
    await db.query(`UPDATE petition_accused a SET name_pinyin = x.py FROM unnest($1::uuid[], $2::text[]) AS x(id, py) WHERE a.id = x.id`, [
      r.rows.map((a) => a.id),
      keys,
    ]);
    done += r.rows.length;
    // A name of rare characters only could yield no syllables: stop rather than loop on it.
    if (keys.every((k) => k === '')) return done;
  }
}
