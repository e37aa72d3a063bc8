-- 转办 vs 交办 (issue 16). 交办 is today's referral: the township reports progress at least every quarter and the
-- result by its deadline, which the county reviews. 转办 hands the matter to the body with jurisdiction, which handles
-- it under its own authority: a township commission (the case shows in its list, marked 转办) or a named outside body
-- (the county records which, and when); either may report an outcome, which closes the matter for the county's record.

ALTER TABLE petitions DROP CONSTRAINT petitions_status_check;
ALTER TABLE petitions ADD CONSTRAINT petitions_status_check
  CHECK (status IN ('received', 'accepted', 'referred', 'transferred', 'handling', 'reported', 'returned', 'closed'));
ALTER TABLE petitions
  -- 转办 to an outside body: which one (free text, e.g. 县委组织部). Null for a township or the county itself.
  ADD COLUMN transfer_to text,
  -- 交办: the end of the day (China time) the next progress report is due; moved on by each report.
  ADD COLUMN progress_due_at timestamptz,
  ADD CONSTRAINT petitions_transfer_to CHECK (transfer_to IS NULL OR (route = 'zhuanban' AND length(transfer_to) >= 2)),
  ADD CONSTRAINT petitions_progress_route CHECK (progress_due_at IS NULL OR route = 'jiaoban');

-- A recording of a 转办 matter is kept while it is open, like any other open matter's.
ALTER TABLE recording_retention DROP CONSTRAINT recording_retention_case_status_check;
ALTER TABLE recording_retention ADD CONSTRAINT recording_retention_case_status_check
  CHECK (case_status IN ('none', 'received', 'accepted', 'referred', 'transferred', 'handling', 'reported', 'returned', 'closed'));
INSERT INTO recording_retention (case_status, keep_days) VALUES ('transferred', NULL) ON CONFLICT (case_status) DO NOTHING;

-- The progress clock: one row per class a 交办 can carry. The rules require periodic progress reports on 交办 matters;
-- the quarter is the issue's reading, and no article number is given because none was verified.
ALTER TABLE case_deadline_policy DROP CONSTRAINT case_deadline_policy_kind_check;
ALTER TABLE case_deadline_policy ADD CONSTRAINT case_deadline_policy_kind_check
  CHECK (kind IN ('accept', 'conclude', 'extension', 'notice_accept', 'notice_result', 'review', 'recheck', 'progress'));
INSERT INTO case_deadline_policy (matter_class, kind, days, counting, due_soon_days, max_count, source, default_days, default_counting) VALUES
  ('accusation', 'progress', 90, 'calendar', 10, 1, '《纪检监察机关处理检举控告工作规则》：交办事项应定期报告进展（按季度报告为本系统的设定，具体条款待核实）', 90, 'calendar'),
  ('appeal', 'progress', 90, 'calendar', 10, 1, '交办事项应定期报告进展（按季度报告为本系统的设定，依据待核实）', 90, 'calendar'),
  ('suggestion', 'progress', 90, 'calendar', 10, 1, '交办事项应定期报告进展（按季度报告为本系统的设定，依据待核实）', 90, 'calendar');

ALTER TABLE case_escalations DROP CONSTRAINT case_escalations_clock_check;
ALTER TABLE case_escalations ADD CONSTRAINT case_escalations_clock_check CHECK (clock IN ('accept', 'conclude', 'review', 'recheck', 'shelved', 'progress'));

-- Open 交办 matters get their first progress due date at start, from their decision or last township step, each with
-- its audit row (the audit chain's key never reaches the database): clock_rules 2 marks the rows done.
UPDATE petitions SET clock_rules = 2
  WHERE clock_rules = 1 AND NOT (route = 'jiaoban' AND status IN ('referred', 'handling', 'returned') AND progress_due_at IS NULL);
