-- Live supervision: what kind of session it is, who did what when (the timeline), and private segments.

ALTER TABLE reception_sessions ADD COLUMN kind text NOT NULL DEFAULT 'county_call' CHECK (kind IN ('county_call', 'staff_intake'));
ALTER TABLE reception_sessions ADD COLUMN private boolean NOT NULL DEFAULT false;
-- A staff intake has no calling phase: it is active from the start, with nobody "answering".
-- (reception_sessions_check3 is 0001's "active implies answered"; the name is PostgreSQL's, the same on PGlite.)
ALTER TABLE reception_sessions DROP CONSTRAINT reception_sessions_check3;
ALTER TABLE reception_sessions ADD CONSTRAINT reception_sessions_active_answered CHECK (state <> 'active' OR answered_at IS NOT NULL OR kind = 'staff_intake');
ALTER TABLE reception_sessions DROP CONSTRAINT reception_sessions_end_reason_check;
ALTER TABLE reception_sessions ADD CONSTRAINT reception_sessions_end_reason_check CHECK (end_reason IN ('kiosk_hangup', 'officer_hangup',
  'caller_cancelled', 'kiosk_disconnected', 'officer_disconnected', 'server_shutdown', 'server_restart', 'sfu_failure', 'staff_ended'));

-- The session timeline: joins, leaves, reconnects, mode changes, private on/off, requests. Details hold ids and
-- modes, never what was said.
CREATE TABLE session_events (
  id              bigserial PRIMARY KEY,
  session_id      uuid NOT NULL REFERENCES reception_sessions (id),
  at              timestamptz NOT NULL DEFAULT now(),
  kind            text NOT NULL,
  participant_id  uuid REFERENCES session_participants (id),
  actor_id        uuid,
  details         jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX session_events_session ON session_events (session_id, id);

-- Private segments are county-only: the record of the session (and later its recording) marks them.
CREATE TABLE session_private_segments (
  id          uuid PRIMARY KEY,
  session_id  uuid NOT NULL REFERENCES reception_sessions (id),
  started_at  timestamptz NOT NULL DEFAULT now(),
  started_by  uuid NOT NULL REFERENCES users (id),
  ended_at    timestamptz,
  ended_by    uuid REFERENCES users (id)
);
CREATE INDEX session_private_segments_session ON session_private_segments (session_id);
CREATE UNIQUE INDEX session_private_segments_one_open ON session_private_segments (session_id) WHERE ended_at IS NULL;
