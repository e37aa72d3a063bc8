-- Keyed integrity (issue: a chain anyone with the database can re-hash proves nothing).
--
-- Keys the system itself needs: the integrity root (keyed audit and recording chains, identity seals, audit
-- checkpoints) and the receipt-PIN key. They are never stored in the clear: only wrapped by the county master
-- key, like petition data keys, and `npm run keys:rotate` re-wraps them, so they survive a master key rotation.
CREATE TABLE system_keys (
  name         text PRIMARY KEY,
  wrapped      bytea NOT NULL,
  kek_version  integer NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  rotated_at   timestamptz
);

-- One key check value per master key version: a different key configured under a known version is refused at
-- start, instead of starting healthy and failing every reveal later.
CREATE TABLE master_key_checks (
  version        integer PRIMARY KEY,
  kcv            bytea NOT NULL,
  registered_at  timestamptz NOT NULL DEFAULT now()
);

-- Which suite made each link: 'legacy' rows were chained with plain SHA-256 before the chain was keyed. Adding
-- a column with a constant default rewrites nothing, so the append-only triggers are not involved.
ALTER TABLE audit_log ADD COLUMN suite text NOT NULL DEFAULT 'legacy';
ALTER TABLE recordings ADD COLUMN chain_suite text NOT NULL DEFAULT 'legacy';

-- A MAC over the petition's anonymity flag and its identity ciphertexts: erasing or swapping identity fails loudly.
ALTER TABLE petitions ADD COLUMN identity_mac text;

-- Failed receipt look-ups per kiosk device and case code (known or not, so the answer is no existence oracle):
-- a stranger at one kiosk cannot lock the villager out at another.
CREATE TABLE receipt_attempts (
  device_id        text NOT NULL,
  case_code        text NOT NULL,
  failures         integer NOT NULL DEFAULT 0,
  first_failed_at  timestamptz NOT NULL DEFAULT now(),
  locked_until     timestamptz,
  PRIMARY KEY (device_id, case_code)
);
CREATE INDEX receipt_attempts_case ON receipt_attempts (case_code);
