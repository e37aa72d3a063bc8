-- Server-side recordings of reception sessions: one recording per session, one track per producer, the track
-- cut into segments that are encrypted, hashed and chained as they complete. Files live under DATA_DIR; these
-- rows say what must be there and what it must hash to.

CREATE TABLE recordings (
  id            uuid PRIMARY KEY,
  session_id    uuid NOT NULL UNIQUE REFERENCES reception_sessions (id),
  room_code     text NOT NULL REFERENCES rooms (code),
  status        text NOT NULL CHECK (status IN ('recording', 'paused', 'finalizing', 'complete', 'interrupted', 'purged')),
  started_at    timestamptz NOT NULL,
  stopped_at    timestamptz,
  duration_ms   bigint,
  size_bytes    bigint NOT NULL DEFAULT 0,
  -- Head of the hash chain over every segment of every track, in the order they completed.
  chain_head    bytea,
  segments      integer NOT NULL DEFAULT 0,
  -- Township roles get no recording unless a supervisor grants it for this recording.
  township_grant boolean NOT NULL DEFAULT false
);

CREATE TABLE recording_tracks (
  id                uuid PRIMARY KEY,
  recording_id      uuid NOT NULL REFERENCES recordings (id),
  producer_id       uuid NOT NULL,
  kind              text NOT NULL CHECK (kind IN ('audio', 'video')),
  source            text NOT NULL,
  participant_role  text NOT NULL,
  participant_id    uuid,
  started_at        timestamptz NOT NULL,
  stopped_at        timestamptz
);
CREATE INDEX recording_tracks_recording ON recording_tracks (recording_id);

CREATE TABLE recording_segments (
  recording_id  uuid NOT NULL REFERENCES recordings (id),
  seq           integer NOT NULL,          -- order of completion across all tracks: the chain order
  track_id      uuid NOT NULL REFERENCES recording_tracks (id),
  track_seq     integer NOT NULL,          -- order within its track
  file          text NOT NULL,             -- relative to the recordings directory
  size_bytes    bigint NOT NULL,
  duration_ms   integer NOT NULL,
  sha256        bytea NOT NULL,            -- of the encrypted file as stored
  chain_hash    bytea NOT NULL,            -- SHA-256(previous chain_hash || sha256 || seq || track)
  county_only   boolean NOT NULL,          -- overlaps a private segment of the session
  completed_at  timestamptz NOT NULL,
  PRIMARY KEY (recording_id, seq),
  UNIQUE (track_id, track_seq)
);

-- Start, pause, resume, stop, gaps and restarts: who and why.
CREATE TABLE recording_events (
  id            bigserial PRIMARY KEY,
  recording_id  uuid NOT NULL REFERENCES recordings (id),
  at            timestamptz NOT NULL DEFAULT now(),
  kind          text NOT NULL CHECK (kind IN ('start', 'pause', 'resume', 'stop', 'gap_start', 'gap_end', 'restart', 'track_start', 'track_stop', 'interrupted')),
  actor_id      uuid REFERENCES users (id),
  reason        text NOT NULL DEFAULT '',
  track_id      uuid
);
CREATE INDEX recording_events_recording ON recording_events (recording_id, at);

-- A playback grant: created with its audit row in one transaction; the media request presents its token.
CREATE TABLE recording_playbacks (
  id            uuid PRIMARY KEY,
  recording_id  uuid NOT NULL REFERENCES recordings (id),
  token_digest  text NOT NULL,
  user_id       uuid NOT NULL REFERENCES users (id),
  county_only   boolean NOT NULL,          -- whether private segments are included
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL
);
