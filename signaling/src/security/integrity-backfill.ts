import type { Logger } from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/db.js';
import { IDENTITY_FIELDS, identitySeal } from '../petitions/identity-vault.js';

/**
 * Runs once, on the start that creates the integrity keys (an install upgraded from before identity seals):
 * seals every existing petition's identity as it stands, audited. After that start a petition without a seal
 * is an integrity failure, so nobody can get identity re-sealed by nulling its seal.
 */
export async function sealExistingIdentities(db: Db, log: Logger): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await db.tx(async (q) => {
      const keys = q.integrity!;
      const r = await q.query<{ id: string; anonymous: boolean }>(
        'SELECT id, anonymous FROM petitions WHERE identity_mac IS NULL ORDER BY id LIMIT 500 FOR UPDATE',
      );
      for (const p of r.rows) {
        const idr = await q.query<Record<string, Buffer | null>>(
          `SELECT ${IDENTITY_FIELDS.map(([, c]) => c).join(', ')} FROM petition_identity WHERE petition_id = $1`,
          [p.id],
        );
        await q.query('UPDATE petitions SET identity_mac = $2 WHERE id = $1', [p.id, identitySeal(keys, p.id, p.anonymous, idr.rows[0])]);
      }
      if (r.rows.length)
        await appendAudit(q, {
          actorId: null,
          actorRole: null,
          action: 'integrity.sealed',
          objectType: 'petition_identity',
          details: { petitions: r.rows.length },
        });
      return r.rows.length;
    });
    total += n;
    if (n === 0) break;
  }
  if (total) log.info('identity seals made for existing petitions', { count: total });
  return total;
}
