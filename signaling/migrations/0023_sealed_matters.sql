-- 密封事项 (issue 16): a matter about the county commission's own leadership is sealed from its first insert (or by a
-- later 密封 with a reason). Only the principal leader (county_leader) reads it; it enters no list, statistic or export,
-- and the leader records its sending up to the next level's commission.

ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
  CHECK (role IN ('county_officer', 'county_supervisor', 'county_leader', 'township_handler', 'township_staff', 'sys_admin', 'sec_admin', 'audit_admin'));

ALTER TABLE petitions
  ADD COLUMN sealed boolean NOT NULL DEFAULT false,
  ADD COLUMN sealed_at timestamptz,
  -- Sealed after intake: who sealed it and why (kept here, not in the audit row, which records only that it happened).
  ADD COLUMN sealed_by uuid REFERENCES users (id),
  ADD COLUMN sealed_reason text,
  -- 报送上级纪委监委: when, to whom, by whom, with what note.
  ADD COLUMN sent_up_at timestamptz,
  ADD COLUMN sent_up_to text,
  ADD COLUMN sent_up_by uuid REFERENCES users (id),
  ADD COLUMN sent_up_note text,
  ADD CONSTRAINT petitions_sealed_at CHECK (sealed = (sealed_at IS NOT NULL)),
  ADD CONSTRAINT petitions_sent_up_sealed CHECK (sent_up_at IS NULL OR (sealed AND sent_up_to IS NOT NULL AND sent_up_by IS NOT NULL));

-- The leader's page lists the sealed matters; everything else reads the rest.
CREATE INDEX petitions_sealed ON petitions (created_at DESC) WHERE sealed;
