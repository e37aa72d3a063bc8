-- 密封事项, after review (issue 16): a matter sealed by mistake (it is not about the commission's leadership) goes back
-- to the county office only by the principal leader's decision, with a reason; when, by whom and why are kept here
-- (the audit row says only that it happened). A matter already sent up stays sealed.
ALTER TABLE petitions
  ADD COLUMN unsealed_at timestamptz,
  ADD COLUMN unsealed_by uuid REFERENCES users (id),
  ADD COLUMN unseal_reason text,
  ADD CONSTRAINT petitions_unsealed CHECK (unsealed_at IS NULL OR (unsealed_by IS NOT NULL AND unseal_reason IS NOT NULL));
