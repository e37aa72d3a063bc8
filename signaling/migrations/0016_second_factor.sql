-- 等保三级 second factor. The TOTP secret is stored only wrapped by the county master key (like a data key),
-- bound to its user; a row without enrolled_at is an enrolment begun but not yet confirmed with a code.
-- last_step is the last 30-second step accepted: a code works once (RFC 6238 §5.2).
CREATE TABLE user_totp (
  user_id      uuid PRIMARY KEY REFERENCES users (id),
  wrapped      bytea NOT NULL,
  kek_version  integer NOT NULL,
  enrolled_at  timestamptz,
  last_step    bigint NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL DEFAULT now(),
  rotated_at   timestamptz
);

-- One-time recovery codes, kept only as keyed digests.
CREATE TABLE user_recovery_codes (
  user_id      uuid NOT NULL REFERENCES users (id),
  code_digest  text NOT NULL,
  used_at      timestamptz,
  PRIMARY KEY (user_id, code_digest)
);

-- The security administrator's policy: one row.
CREATE TABLE security_policy (
  id                         integer PRIMARY KEY CHECK (id = 1),
  others_require_second_factor boolean NOT NULL DEFAULT false,
  password_max_age_days      integer CHECK (password_max_age_days BETWEEN 30 AND 730),
  updated_at                 timestamptz NOT NULL DEFAULT now(),
  updated_by                 uuid REFERENCES users (id)
);
INSERT INTO security_policy (id) VALUES (1) ON CONFLICT DO NOTHING;

-- So a user can tell their own sessions apart when ending one.
ALTER TABLE auth_sessions ADD COLUMN user_agent text;
ALTER TABLE auth_sessions ADD COLUMN address text;
