-- How long recordings are kept, by the state of the case they belong to ('none': a session no petition came
-- from). NULL keeps them. Purging deletes the files and the data key and keeps the rows as a tombstone: what
-- existed, its hashes and its chain.
CREATE TABLE recording_retention (
  case_status  text PRIMARY KEY CHECK (case_status IN ('none', 'received', 'accepted', 'referred', 'handling', 'reported', 'returned', 'closed')),
  keep_days    integer CHECK (keep_days IS NULL OR keep_days BETWEEN 1 AND 36500)
);
INSERT INTO recording_retention (case_status, keep_days) VALUES
  ('none', 365), ('received', NULL), ('accepted', NULL), ('referred', NULL), ('handling', NULL), ('reported', NULL), ('returned', NULL), ('closed', 1095);

ALTER TABLE recordings ADD COLUMN purged_at timestamptz;
