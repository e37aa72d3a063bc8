-- The login session a playback grant was made in. The media request carries only the grant's token (a <video>
-- element cannot send a bearer header), so every request, each byte range included, re-checks that this
-- session is still live, its user still enabled and the grant still standing. Grants made before this column
-- existed have none and are refused: they expired within 30 minutes anyway.
ALTER TABLE recording_playbacks ADD COLUMN auth_session_id uuid REFERENCES auth_sessions (id);
