-- Each kiosk's check of itself before the day's first call (camera, microphone, media to the SFU and back), so the
-- county learns of a broken reception room before a villager does. Device facts only: nothing about any person.
CREATE TABLE kiosk_checks (
  id          bigserial PRIMARY KEY,
  room_code   text NOT NULL,
  device_id   uuid NOT NULL REFERENCES kiosk_devices (id),
  checked_at  timestamptz NOT NULL DEFAULT now(),
  ok          boolean NOT NULL,
  camera      text NOT NULL CHECK (camera IN ('ok', 'failed')),
  microphone  text NOT NULL CHECK (microphone IN ('ok', 'silent', 'failed')),
  network     text NOT NULL CHECK (network IN ('ok', 'slow', 'failed', 'untested')),
  rtt_ms      integer,
  connect_ms  integer
);
CREATE INDEX kiosk_checks_room ON kiosk_checks (room_code, checked_at DESC);
