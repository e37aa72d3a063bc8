-- A running import's last sign of life. A node starting in a cluster marked every running import failed, those
-- other nodes were still running included; now only an import nobody has advanced for a while is taken as cut off.
ALTER TABLE registry_imports ADD COLUMN heartbeat_at timestamptz NOT NULL DEFAULT now();
