// The baseline of the submit-rate benchmark: the rows a petition submit writes (petition, data key, identity
// ciphertext-sized blobs, accused, an audit-sized row in a scratch table), inserted plainly in one statement
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

/** One statement, one round trip, like ours: the difference measured is the work, not the number of trips. */
export async function plainInsert(pool: pg.Pool, b: PlainBody, officerId: string): Promise<void> {
  await pool.query(
    `WITH p AS (INSERT INTO petitions (id, case_code, pin_hash, request_digest, township_code, category, narrative, anonymous, created_by, identity_mac)
                VALUES ($1, $2, $3, $4, $5, $6, $7, false, $8, $9) RETURNING id),
          k AS (INSERT INTO data_keys (owner_id, wrapped, kek_version) SELECT id, $10::bytea, 1 FROM p),
          i AS (INSERT INTO petition_identity (petition_id, name_ct, id_card_ct, phone_ct, address_ct, village_ct) SELECT id, $11::bytea, $12::bytea, $13::bytea, $14::bytea, $15::bytea FROM p),
          a AS (INSERT INTO petition_accused (id, petition_id, ord, name, unit, position) SELECT gen_random_uuid(), id, 0, '李某某', '某村委会', '村主任' FROM p)
     INSERT INTO bench_audit (seq, at, actor_id, actor_role, action, object_type, object_id, township_code, details, prev_hash, hash)
     SELECT $16::bigint, now(), $8, 'county_officer', 'petition.create', 'petition', id::text, $5, '{}', $17::bytea, $18::bytea FROM p`,
    [
      b.id,
      `9${randomBytes(5).readUIntBE(0, 5).toString().padStart(9, '0').slice(0, 9)}`,
      randomBytes(44).toString('base64'),
      randomBytes(32).toString('hex'),
      b.townshipCode,
      b.category,
      b.narrative,
      officerId,
      randomBytes(32).toString('base64'),
      randomBytes(61),
      randomBytes(35),
      randomBytes(47),
      randomBytes(40),
      randomBytes(42),
      randomBytes(35),
      ++seq,
      randomBytes(32),
      randomBytes(32),
    ],
  );
}
