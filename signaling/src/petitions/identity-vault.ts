import type { Identity } from '@vj/shared';
import type { Queryable } from '../db/db.js';
import { MasterKeys, newDataKey, open, seal, type FieldContext } from '../security/crypto.js';

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

const fieldCtx = (petitionId: string, column: string, dekVersion: number): FieldContext => ({
  table: 'petition_identity',
  column,
  rowId: petitionId,
  keyVersion: dekVersion,
});

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
        cts[column] = v ? seal(dataKey, Buffer.from(v, 'utf8'), fieldCtx(petitionId, column, 1)) : null;
      }
    }
    return { sealed: { dataKey: { wrapped, kekVersion, dekVersion: 1 }, identity: cts }, dataKey };
  }

  async store(q: Queryable, petitionId: string, sealed: SealedPetition): Promise<void> {
    const k = sealed.dataKey;
    await q.query('INSERT INTO data_keys (owner_id, wrapped, kek_version, dek_version) VALUES ($1, $2, $3, $4)', [petitionId, k.wrapped, k.kekVersion, k.dekVersion]);
    if (sealed.identity) {
      const cols = IDENTITY_FIELDS.map(([, c]) => c);
      await q.query(
        `INSERT INTO petition_identity (petition_id, ${cols.join(', ')}) VALUES ($1, ${cols.map((_, i) => `$${i + 2}`).join(', ')})`,
        [petitionId, ...cols.map((c) => sealed.identity![c])],
      );
    }
  }

  async dataKey(q: Queryable, ownerId: string): Promise<{ key: Buffer; dekVersion: number }> {
    const r = await q.query<{ wrapped: Buffer; kek_version: number; dek_version: number }>('SELECT wrapped, kek_version, dek_version FROM data_keys WHERE owner_id = $1', [ownerId]);
    const row = r.rows[0];
    if (!row) throw new Error('data key missing');
    return { key: this.master.unwrap(row.wrapped, row.kek_version, ownerId), dekVersion: row.dek_version };
  }

  async reveal(q: Queryable, petitionId: string): Promise<Identity> {
    const { key, dekVersion } = await this.dataKey(q, petitionId);
    const r = await q.query<Record<string, Buffer | null>>('SELECT * FROM petition_identity WHERE petition_id = $1', [petitionId]);
    const row = r.rows[0];
    const out = { name: '', idCard: '', phone: '', address: '', village: '' };
    for (const [field, column] of IDENTITY_FIELDS) {
      const blob = row?.[column];
      if (blob) out[field] = open(key, blob, fieldCtx(petitionId, column, dekVersion)).toString('utf8');
    }
    return out;
  }

  sealAttachment(key: Buffer, dekVersion: number, attachmentId: string, column: 'content_ct' | 'filename_ct', data: Buffer): Buffer {
    return seal(key, data, { table: 'petition_attachments', column, rowId: attachmentId, keyVersion: dekVersion });
  }

  openAttachment(key: Buffer, dekVersion: number, attachmentId: string, column: 'content_ct' | 'filename_ct', blob: Buffer): Buffer {
    return open(key, blob, { table: 'petition_attachments', column, rowId: attachmentId, keyVersion: dekVersion });
  }
}
