-- Reception rooms, people and devices, and the record of every reception session.

CREATE TABLE rooms (
  code        text PRIMARY KEY,
  name        text NOT NULL,
  kind        text NOT NULL,
  sort_order  integer NOT NULL,
  active      boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id             uuid PRIMARY KEY,
  username       text NOT NULL UNIQUE,
  display_name   text NOT NULL,
  role           text NOT NULL CHECK (role IN ('county_officer', 'county_supervisor', 'township_handler', 'township_staff', 'admin')),
  township_code  text REFERENCES rooms (code),
  password_hash  text NOT NULL,
  disabled_at    timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  CHECK ((role IN ('township_handler', 'township_staff')) = (township_code IS NOT NULL))
);

-- One provisioned, revocable credential per kiosk; only a hash of its secret is kept.
CREATE TABLE kiosk_devices (
  id           uuid PRIMARY KEY,
  room_code    text NOT NULL REFERENCES rooms (code),
  secret_hash  text NOT NULL,
  label        text NOT NULL DEFAULT '',
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz
);
CREATE INDEX kiosk_devices_room ON kiosk_devices (room_code);

CREATE TABLE reception_sessions (
  id           uuid PRIMARY KEY,
  room_code    text NOT NULL REFERENCES rooms (code),
  -- The kiosk's own id for its call request: a retried press finds the same session.
  request_id   uuid NOT NULL UNIQUE,
  state        text NOT NULL CHECK (state IN ('calling', 'active', 'ended')),
  started_at   timestamptz NOT NULL DEFAULT now(),
  answered_at  timestamptz,
  answered_by  uuid REFERENCES users (id),
  ended_at     timestamptz,
  end_reason   text CHECK (end_reason IN ('kiosk_hangup', 'officer_hangup', 'caller_cancelled', 'kiosk_disconnected',
                                          'officer_disconnected', 'server_shutdown', 'server_restart', 'sfu_failure')),
  CHECK ((state = 'ended') = (ended_at IS NOT NULL)),
  CHECK ((state = 'ended') = (end_reason IS NOT NULL)),
  CHECK (state <> 'calling' OR answered_at IS NULL),
  CHECK (state <> 'active' OR answered_at IS NOT NULL),
  CHECK ((answered_at IS NULL) = (answered_by IS NULL))
);
-- At most one open session per room: the database, not the app, settles a race of two call starts.
CREATE UNIQUE INDEX reception_sessions_one_open ON reception_sessions (room_code) WHERE state <> 'ended';
CREATE INDEX reception_sessions_room_started ON reception_sessions (room_code, started_at DESC);

-- Every join and leave, with the participant's role and why they left. The id is also the SFU peer id.
CREATE TABLE session_participants (
  id            uuid PRIMARY KEY,
  session_id    uuid NOT NULL REFERENCES reception_sessions (id),
  role          text NOT NULL CHECK (role IN ('kiosk', 'county_officer', 'county_supervisor', 'township_staff')),
  user_id       uuid REFERENCES users (id),
  device_id     uuid REFERENCES kiosk_devices (id),
  joined_at     timestamptz NOT NULL DEFAULT now(),
  left_at       timestamptz,
  leave_reason  text,
  CHECK ((left_at IS NULL) = (leave_reason IS NULL)),
  CHECK ((role = 'kiosk') = (device_id IS NOT NULL))
);
CREATE INDEX session_participants_session ON session_participants (session_id);
