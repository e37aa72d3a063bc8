-- How far each syslog collector has been sent the audit log. The row is locked while a batch is sent, so the
-- nodes of a cluster take turns instead of sending each row twice.
CREATE TABLE audit_shipping (
  target      text PRIMARY KEY,
  shipped_seq bigint NOT NULL DEFAULT 0
);
