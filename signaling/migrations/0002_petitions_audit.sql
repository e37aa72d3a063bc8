-- Confidential petition records, revocable login sessions and the tamper-evident audit log.

-- A signed-in console user. The refresh token rotates on every use; only its digest is kept. Access tokens
-- name their session (sid), so revoking it (logout, disable) ends access at once, not at token expiry.
CREATE TABLE auth_sessions (
  id             uuid PRIMARY KEY,
  user_id        uuid NOT NULL REFERENCES users (id),
  refresh_digest text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  refreshed_at   timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL,
  revoked_at     timestamptz,
  revoke_reason  text
);
CREATE INDEX auth_sessions_user_live ON auth_sessions (user_id) WHERE revoked_at IS NULL;

CREATE TABLE petitions (
  id                    uuid PRIMARY KEY,             -- made by the submitting client: retries are idempotent
  case_code             text NOT NULL UNIQUE,         -- digits only: villagers type it on a number pad
  pin_hash              text NOT NULL,                -- slow hash; the PIN itself is never stored
  request_digest        text NOT NULL,                -- a retry must carry the same content
  session_id            uuid REFERENCES reception_sessions (id),
  township_code         text NOT NULL REFERENCES rooms (code),
  category              text NOT NULL,
  narrative             text NOT NULL,
  anonymous             boolean NOT NULL,
  status                text NOT NULL DEFAULT 'received'
                        CHECK (status IN ('received', 'accepted', 'referred', 'handling', 'reported', 'returned', 'closed')),
  feedback              text,                          -- the county's approved words to the petitioner
  created_by            uuid NOT NULL REFERENCES users (id),
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  receipt_failures      integer NOT NULL DEFAULT 0,
  receipt_locked_until  timestamptz
);
CREATE INDEX petitions_township_status ON petitions (township_code, status);
CREATE INDEX petitions_created ON petitions (created_at DESC);

-- One data key per owner (a petition; later a recording), wrapped by master key version kek_version.
CREATE TABLE data_keys (
  owner_id     uuid PRIMARY KEY,
  wrapped      bytea NOT NULL,
  kek_version  integer NOT NULL,
  dek_version  integer NOT NULL DEFAULT 1,
  created_at   timestamptz NOT NULL DEFAULT now(),
  rotated_at   timestamptz
);

-- Identity lives apart from the allegation, and only as AES-256-GCM ciphertext.
CREATE TABLE petition_identity (
  petition_id  uuid PRIMARY KEY REFERENCES petitions (id),
  name_ct      bytea,
  id_card_ct   bytea,
  phone_ct     bytea,
  address_ct   bytea,
  village_ct   bytea
);

CREATE TABLE petition_accused (
  id             uuid PRIMARY KEY,
  petition_id    uuid NOT NULL REFERENCES petitions (id),
  ord            integer NOT NULL,
  name           text NOT NULL,
  unit           text NOT NULL DEFAULT '',
  position       text NOT NULL DEFAULT '',
  township_code  text REFERENCES rooms (code),
  UNIQUE (petition_id, ord)
);
CREATE INDEX petition_accused_name ON petition_accused (name);

CREATE TABLE petition_attachments (
  id            uuid PRIMARY KEY,
  petition_id   uuid NOT NULL REFERENCES petitions (id),
  filename_ct   bytea NOT NULL,
  mime          text NOT NULL,
  size_bytes    integer NOT NULL CHECK (size_bytes > 0),
  content_ct    bytea NOT NULL,
  uploaded_by   uuid NOT NULL REFERENCES users (id),
  uploaded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX petition_attachments_petition ON petition_attachments (petition_id);

-- Append-only and hash-chained: hash = SHA-256(prev_hash || canonical row). seq is assigned under a lock, so
-- it has no gaps; a missing, edited or reordered row breaks the chain and `npm run audit:verify` names it.
CREATE TABLE audit_log (
  seq            bigint PRIMARY KEY,
  at             timestamptz NOT NULL,
  actor_id       uuid,
  actor_role     text,
  action         text NOT NULL,
  object_type    text,
  object_id      text,
  township_code  text,
  details        jsonb NOT NULL DEFAULT '{}'::jsonb,
  prev_hash      bytea NOT NULL,
  hash           bytea NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);

-- A trigger, not only a grant: PGlite runs as a single superuser, and the rule must hold there too.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;
