-- Sessions ended because access ended mid-call (kiosk revoked, logout, account disabled) say so, instead of
-- waiting out the reconnect grace period and being recorded as a network drop.
ALTER TABLE reception_sessions DROP CONSTRAINT reception_sessions_end_reason_check;
ALTER TABLE reception_sessions ADD CONSTRAINT reception_sessions_end_reason_check CHECK (end_reason IN ('kiosk_hangup', 'officer_hangup',
  'caller_cancelled', 'kiosk_disconnected', 'officer_disconnected', 'server_shutdown', 'server_restart', 'sfu_failure', 'staff_ended',
  'kiosk_revoked', 'officer_logged_out', 'staff_logged_out', 'user_disabled'));
