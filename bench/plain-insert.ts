// The baseline of the submit-rate benchmark: the rows a petition submit writes (petition, data key, identity
// ciphertext-sized blobs, accused, an audit-sized row in a scratch table), inserted plainly in one transaction
// with no crypto, no checks and no chain lock. Used two ways: straight over pg from the load generator, and
// behind a minimal HTTP service in its own process (plain-insert-service.ts), as a service without any of the
// confidentiality work would answer the same request.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';

export interface PlainBody {
  id: string;
  townshipCode: string;
  category: string;
  narrative: string;
}

let seq = 0;

export async function plainInsert(pool: pg.Pool, b: PlainBody, officerId: string): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query(
      `INSERT INTO petitions (id, case_code, pin_hash, request_digest, township_code, category, narrative, anonymous, created_by, identity_mac)
       VALUES ($1, $2, $3, $4, $5, $6, $7, false, $8, $9)`,
      [b.id, `9${randomBytes(5).readUIntBE(0, 5).toString().padStart(9, '0').slice(0, 9)}`, randomBytes(44).toString('base64'), randomBytes(32).toString('hex'), b.townshipCode, b.category, b.narrative, officerId, randomBytes(32).toString('base64')],
    );
    await c.query('INSERT INTO data_keys (owner_id, wrapped, kek_version) VALUES ($1, $2, 1)', [b.id, randomBytes(61)]);
    await c.query('INSERT INTO petition_identity (petition_id, name_ct, id_card_ct, phone_ct, address_ct, village_ct) VALUES ($1, $2, $3, $4, $5, $6)', [
      b.id, randomBytes(35), randomBytes(47), randomBytes(40), randomBytes(42), randomBytes(35),
    ]);
    await c.query(`INSERT INTO petition_accused (id, petition_id, ord, name, unit, position) VALUES (gen_random_uuid(), $1, 0, $2, $3, $4)`, [b.id, '李某某', '某村委会', '村主任']);
    await c.query(
      `INSERT INTO bench_audit (seq, at, actor_id, actor_role, action, object_type, object_id, township_code, details, prev_hash, hash) VALUES ($1, now(), $2, 'county_officer', 'petition.create', 'petition', $3, $4, '{}', $5, $6)`,
      [`${process.pid}${++seq}`, officerId, b.id, b.townshipCode, randomBytes(32), randomBytes(32)],
    );
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    c.release();
  }
}
