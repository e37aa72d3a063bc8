import { appendAudit } from '../audit/audit-log.js';
import type { Db, Tx } from '../db/db.js';
import { checkPin, envelopeSuite, open, pinVerifier, type MasterKeys } from '../security/crypto.js';
import type { IntegrityKeyring } from '../security/system-keys.js';
import { IDENTITY_FIELDS, IdentityVault, fieldCtx, identitySeal, identitySealHolds, type IdentityCiphertexts } from './identity-vault.js';
import { receiptPin } from './petition-service.js';

export interface ResealReport {
  /** Petitions whose identity, evidence, seal or PIN verifier now use the configured suite. */
  petitions: number;
  /** Petitions left as they were because their identity seal does not hold: re-sealing would launder tampering. */
  refused: string[];
}

const BATCH = 100;

/**
 * Re-seals what a petition holds to the configured suite (part of `npm run keys:rotate`, after the data keys are
 * re-wrapped): identity fields and evidence files re-encrypted under the same data key, the identity seal and
 * the receipt PIN verifier re-made. Each batch is one transaction with its audit row. The seal is checked
 * before anything is re-made, and a petition whose seal fails is left alone and reported. Safe to re-run.
 * The audit and recording chains are not re-made: their rows keep the suite they were linked with, which the
 * verifiers read per row, and every new link uses the configured suite.
 */
export async function resealPetitions(db: Db, master: MasterKeys, keys: IntegrityKeyring, progress: (done: number) => void = () => {}): Promise<ResealReport> {
  const vault = new IdentityVault(master);
  const report: ResealReport = { petitions: 0, refused: [] };
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const batch = await db.tx(async (q) => {
      const r = await q.query<{ id: string; case_code: string; pin_hash: string; anonymous: boolean; identity_mac: string | null }>(
        'SELECT id, case_code, pin_hash, anonymous, identity_mac FROM petitions WHERE id > $1 ORDER BY id LIMIT $2 FOR UPDATE',
        [after, BATCH],
      );
      let changed = 0;
      for (const p of r.rows) {
        const outcome = await resealOne(q, vault, master, keys, p);
        if (outcome === 'refused') report.refused.push(p.id);
        if (outcome === 'changed') changed++;
      }
      if (changed) await appendAudit(q, { actorId: null, actorRole: null, action: 'keys.rotate', details: { resealed: changed, suite: master.suite } });
      return { last: r.rows.at(-1)?.id, changed };
    });
    report.petitions += batch.changed;
    progress(report.petitions);
    if (!batch.last) return report;
    after = batch.last;
  }
}

async function resealOne(
  q: Tx,
  vault: IdentityVault,
  master: MasterKeys,
  keys: IntegrityKeyring,
  p: { id: string; case_code: string; pin_hash: string; anonymous: boolean; identity_mac: string | null },
): Promise<'same' | 'changed' | 'refused'> {
  const suite = master.suite;
  const idRow = (await q.query<Record<string, Buffer | null>>('SELECT * FROM petition_identity WHERE petition_id = $1', [p.id])).rows[0];
  const cts: IdentityCiphertexts = idRow ? Object.fromEntries(IDENTITY_FIELDS.map(([, c]) => [c, idRow[c] ?? null])) : idRow;
  const files = (
    await q.query<{ id: string; filename_ct: Buffer; content_ct: Buffer }>(
      'SELECT id, filename_ct, content_ct FROM petition_attachments WHERE petition_id = $1',
      [p.id],
    )
  ).rows;
  const stale = (b: Buffer | null | undefined) => b !== null && b !== undefined && envelopeSuite(b) !== suite;
  const fieldsStale = IDENTITY_FIELDS.some(([, c]) => stale(cts?.[c]));
  const filesStale = files.filter((f) => stale(f.filename_ct) || stale(f.content_ct));
  const sealStale = !(p.identity_mac ?? '').startsWith(`${keys.suite}$`);
  const pinStale = p.pin_hash.startsWith('hmac$') && !p.pin_hash.startsWith(`hmac$${keys.suite}$`);
  if (!fieldsStale && filesStale.length === 0 && !sealStale && !pinStale) return 'same';
  if (!identitySealHolds(keys, p.identity_mac, p.id, p.anonymous, cts)) return 'refused';

  const { key, dekVersion } = await vault.dataKey(q, p.id);
  if (fieldsStale && cts) {
    const next: Record<string, Buffer | null> = {};
    for (const [, c] of IDENTITY_FIELDS) {
      const blob = cts[c] ?? null;
      const ctx = fieldCtx(p.id, c, dekVersion);
      next[c] = blob && stale(blob) ? master.seal(key, open(key, blob, ctx), ctx) : blob;
    }
    const cols = IDENTITY_FIELDS.map(([, c]) => c);
    await q.query(`UPDATE petition_identity SET ${cols.map((c, i) => `${c} = $${i + 2}`).join(', ')} WHERE petition_id = $1`, [
      p.id,
      ...cols.map((c) => next[c]),
    ]);
    Object.assign(cts, next);
  }
  for (const f of filesStale) {
    const again = (column: 'filename_ct' | 'content_ct') =>
      vault.sealAttachment(key, dekVersion, f.id, column, vault.openAttachment(key, dekVersion, f.id, column, f[column]));
    await q.query('UPDATE petition_attachments SET filename_ct = $2, content_ct = $3 WHERE id = $1', [f.id, again('filename_ct'), again('content_ct')]);
  }
  // The seal covers the ciphertexts, so it is re-made whenever they changed, and in the configured suite.
  await q.query('UPDATE petitions SET identity_mac = $2 WHERE id = $1', [p.id, identitySeal(keys, p.id, p.anonymous, cts)]);
  if (pinStale) {
    // The PIN is derived, so the verifier can be re-made without the villager; only if the old one agrees.
    const pin = receiptPin(keys, p.id);
    if (await checkPin(p.pin_hash, (s) => keys.key('receipt-pin-verifier', s), p.id, p.case_code, pin)) {
      await q.query('UPDATE petitions SET pin_hash = $2 WHERE id = $1', [
        p.id,
        pinVerifier(keys.suite, keys.key('receipt-pin-verifier'), p.id, p.case_code, pin),
      ]);
    }
  }
  return 'changed';
}
