-- Accounts created by `npm run users:add` start with a one-time password that must be changed at the first login;
-- until then the account can do nothing else.
ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
ALTER TABLE users ADD COLUMN password_changed_at timestamptz;
