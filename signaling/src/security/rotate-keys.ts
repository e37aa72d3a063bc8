import type { Db } from '../db/db.js';
import { ENVELOPE_FORMAT, type MasterKeys } from './crypto.js';
import { appendAudit } from '../audit/audit-log.js';
import { rewrapSystemKeys } from './system-keys.js';
import { SecondFactor } from '../auth/second-factor.js';

/**
 * Re-wraps data keys, system keys and second-factor secrets still under an older master key version or another suite, in batches,
 * each batch one transaction with its audit row. Only the small wrapped keys change here, so every reveal,
 * playback, chain check and receipt keeps working; petitions/reseal.ts then re-seals what they encrypt.
 * Safe to re-run.
 */
export async function rewrapDataKeys(db: Db, master: MasterKeys, progress: (done: number) => void = () => {}): Promise<number> {
  let done = await db.tx(async (q) => {
    const n = await rewrapSystemKeys(q, master);
    // Second-factor secrets are wrapped like keys, so they move with them.
    const totp = await SecondFactor.rewrap(q, master, ENVELOPE_FORMAT[master.suite]);
    if (n || totp)
      await appendAudit(q, {
        actorId: null,
        actorRole: null,
        action: 'keys.rotate',
        details: { systemKeys: n, secondFactorSecrets: totp, toVersion: master.current, suite: master.suite },
      });
    return n + totp;
  });
  for (;;) {
    const n = await db.tx(async (q) => {
      const r = await q.query<{ owner_id: string; wrapped: Buffer; kek_version: number }>(
        'SELECT owner_id, wrapped, kek_version FROM data_keys WHERE kek_version <> $1 OR get_byte(wrapped, 0) <> $2 ORDER BY owner_id LIMIT 500 FOR UPDATE',
        [master.current, ENVELOPE_FORMAT[master.suite]],
      );
      for (const k of r.rows) {
        const { wrapped, kekVersion } = master.wrap(master.unwrap(k.wrapped, k.kek_version, k.owner_id), k.owner_id);
        await q.query('UPDATE data_keys SET wrapped = $2, kek_version = $3, rotated_at = now() WHERE owner_id = $1', [k.owner_id, wrapped, kekVersion]);
      }
      if (r.rows.length)
        await appendAudit(q, {
          actorId: null,
          actorRole: null,
          action: 'keys.rotate',
          details: { rewrapped: r.rows.length, toVersion: master.current, suite: master.suite },
        });
      return r.rows.length;
    });
    if (n === 0) return done;
    done += n;
    progress(done);
  }
}
