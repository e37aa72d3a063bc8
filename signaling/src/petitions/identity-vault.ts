import type { Identity } from '@vj/shared';
import type { Queryable } from '../db/db.js';
import { DecryptError, MasterKeys, isSuite, mac, macEqual, newDataKey, open, type FieldContext, type SuiteId } from '../security/crypto.js';
import { IntegrityError, type IntegrityKeyring } from '../security/system-keys.js';

export const IDENTITY_FIELDS = [
  ['name', 'name_ct'],
  ['idCard', 'id_card_ct'],
  ['phone', 'phone_ct'],
  ['address', 'address_ct'],
  ['village', 'village_ct'],
] as const satisfies readonly (readonly [keyof Identity, string])[];

export interface SealedPetition {
  dataKey: { wrapped: Buffer; kekVersion: number; dekVersion: number };
  identity: Record<string, Buffer | null> | null;
}

export const fieldCtx = (petitionId: string, column: string, dekVersion: number): FieldContext => ({
  table: 'petition_identity',
  column,
  rowId: petitionId,
  keyVersion: dekVersion,
});

export type IdentityCiphertexts = Record<string, Buffer | null> | null | undefined;

function identityMacOf(keys: IntegrityKeyring, suite: SuiteId, petitionId: string, anonymous: boolean, cts: IdentityCiphertexts): Buffer {
  return mac(
    suite,
    keys.key('identity-seal', suite),
    'identity',
    petitionId,
    anonymous ? 'anonymous' : 'named',
    ...IDENTITY_FIELDS.map(([, c]) => cts?.[c] ?? '-'),
  );
}

/**
 * The seal over a petition's anonymity flag and identity ciphertexts ("<suite>$<base64 MAC>"). Nulling a field,
 * deleting the identity row or flipping `anonymous` changes what it covers, so a reveal fails loudly instead
 * of answering with blanks.
 */
export function identitySeal(keys: IntegrityKeyring, petitionId: string, anonymous: boolean, cts: IdentityCiphertexts): string {
  return `${keys.suite}$${identityMacOf(keys, keys.suite, petitionId, anonymous, cts).toString('base64')}`;
}

export function identitySealHolds(keys: IntegrityKeyring, stored: string | null, petitionId: string, anonymous: boolean, cts: IdentityCiphertexts): boolean {
  const [suite, b64] = (stored ?? '').split('$');
  if (!isSuite(suite) || !b64) return false;
  return macEqual(identityMacOf(keys, suite, petitionId, anonymous, cts), Buffer.from(b64, 'base64'));
}

/** Per-petition envelope encryption of identity fields and attachments (DESIGN §3). */
export class IdentityVault {
  constructor(private readonly master: MasterKeys) {}

  /** Done before the transaction opens, so the audit chain lock is held only for the inserts. */
  seal(petitionId: string, identity: Identity | null): { sealed: SealedPetition; dataKey: Buffer } {
    const dataKey = newDataKey();
    const { wrapped, kekVersion } = this.master.wrap(dataKey, petitionId);
    let cts: Record<string, Buffer | null> | null = null;
    if (identity) {
      cts = {};
      for (const [field, column] of IDENTITY_FIELDS) {
        const v = identity[field];
        cts[column] = v ? this.master.seal(dataKey, Buffer.from(v, 'utf8'), fieldCtx(petitionId, column, 1)) : null;
      }
    }
    return { sealed: { dataKey: { wrapped, kekVersion, dekVersion: 1 }, identity: cts }, dataKey };
  }

  /**
   * The key and identity rows as data-modifying CTEs of the submit's one statement, written only when the gate
   * CTE (the petition's insert) made its row. `param` numbers a value as a placeholder of that statement and
   * `name` gives a CTE its name there (a statement may carry several petitions). Returns the CTEs and their names.
   */
  insertCtes(param: (v: unknown) => string, name: (base: string) => string, gate: string, sealed: SealedPetition): { ctes: string[]; names: string[] } {
    const k = sealed.dataKey;
    const names = [name('vault_key')];
    const ctes = [
      `${names[0]} AS (INSERT INTO data_keys (owner_id, wrapped, kek_version, dek_version)
        SELECT id, ${param(k.wrapped)}::bytea, ${param(k.kekVersion)}::int, ${param(k.dekVersion)}::int FROM ${gate} RETURNING 1)`,
    ];
    const identity = sealed.identity;
    if (identity) {
      const cols = IDENTITY_FIELDS.map(([, c]) => c);
      names.push(name('vault_identity'));
      ctes.push(`${names[1]} AS (INSERT INTO petition_identity (petition_id, ${cols.join(', ')})
        SELECT id, ${cols.map((c) => `${param(identity[c])}::bytea`).join(', ')} FROM ${gate} RETURNING 1)`);
    }
    return { ctes, names };
  }

  async dataKey(q: Queryable, ownerId: string): Promise<{ key: Buffer; dekVersion: number }> {
    const r = await q.query<{ wrapped: Buffer; kek_version: number; dek_version: number }>(
      'SELECT wrapped, kek_version, dek_version FROM data_keys WHERE owner_id = $1',
      [ownerId],
    );
    const row = r.rows[0];
    if (!row) throw new Error('data key missing');
    return { key: this.master.unwrap(row.wrapped, row.kek_version, ownerId), dekVersion: row.dek_version };
  }

  /**
   * The identity, after checking its seal: a missing or altered identity, a flipped anonymity flag, a missing
   * data key or a ciphertext that does not open is an IntegrityError, never a reveal of blanks.
   */
  async reveal(q: Queryable, keys: IntegrityKeyring, petitionId: string, p: { anonymous: boolean; identity_mac: string | null }): Promise<Identity> {
    const r = await q.query<Record<string, Buffer | null>>('SELECT * FROM petition_identity WHERE petition_id = $1', [petitionId]);
    const row = r.rows[0];
    if (!identitySealHolds(keys, p.identity_mac, petitionId, p.anonymous, row) || (p.anonymous ? row !== undefined : row === undefined)) {
      throw new IntegrityError('petition_identity', petitionId);
    }
    const out = { name: '', idCard: '', phone: '', address: '', village: '' };
    if (p.anonymous) return out;
    try {
      const { key, dekVersion } = await this.dataKey(q, petitionId);
      for (const [field, column] of IDENTITY_FIELDS) {
        const blob = row?.[column];
        if (blob) out[field] = open(key, blob, fieldCtx(petitionId, column, dekVersion)).toString('utf8');
      }
    } catch (err) {
      if (err instanceof DecryptError || (err instanceof Error && err.message === 'data key missing'))
        throw new IntegrityError('petition_identity', petitionId);
      throw err;
    }
    return out;
  }

  sealAttachment(key: Buffer, dekVersion: number, attachmentId: string, column: 'content_ct' | 'filename_ct', data: Buffer): Buffer {
    return this.master.seal(key, data, { table: 'petition_attachments', column, rowId: attachmentId, keyVersion: dekVersion });
  }

  openAttachment(key: Buffer, dekVersion: number, attachmentId: string, column: 'content_ct' | 'filename_ct', blob: Buffer): Buffer {
    return open(key, blob, { table: 'petition_attachments', column, rowId: attachmentId, keyVersion: dekVersion });
  }
}
