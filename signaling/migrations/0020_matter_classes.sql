-- Matter classes (检举控告 / 申诉 / 批评建议 / 其他), the route a decided matter took (交办 / 转办), and the clocks of
-- the rules that apply to each class. Every number stays in case_deadline_policy, now one row per (class, clock),
-- each with the rule its default comes from.

ALTER TABLE petitions
  -- Every petition before classes was treated as one kind; what a commission's petition office takes in is mostly
  -- 检举控告, so that is what they become (issue 16). The default also serves writers that predate classes.
  ADD COLUMN matter_class text NOT NULL DEFAULT 'accusation' CHECK (matter_class IN ('accusation', 'appeal', 'suggestion', 'other')),
  ADD COLUMN route text CHECK (route IN ('jiaoban', 'zhuanban')),
  ADD COLUMN other_body text,
  -- Named-accuser notices: when each is due, when it was given, how, and what was said; the accuser's response.
  ADD COLUMN notice_accept_due_at timestamptz,
  ADD COLUMN notice_accept_at timestamptz,
  ADD COLUMN notice_accept_via text,
  ADD COLUMN notice_accept_text text,
  ADD COLUMN notice_result_due_at timestamptz,
  ADD COLUMN notice_result_at timestamptz,
  ADD COLUMN notice_result_via text,
  ADD COLUMN notice_result_text text,
  ADD COLUMN accuser_response text CHECK (accuser_response IN ('no_objection', 'objection')),
  ADD COLUMN accuser_response_text text,
  ADD COLUMN accuser_response_at timestamptz,
  -- 复查 and 复核 of a 信访-track matter (申诉, 批评建议) after it was concluded: requested, due, decided, the opinion.
  ADD COLUMN review_requested_at timestamptz,
  ADD COLUMN review_due_at timestamptz,
  ADD COLUMN review_decided_at timestamptz,
  ADD COLUMN review_opinion text,
  ADD COLUMN recheck_requested_at timestamptz,
  ADD COLUMN recheck_due_at timestamptz,
  ADD COLUMN recheck_decided_at timestamptz,
  ADD COLUMN recheck_opinion text,
  -- Which rules this row's clocks were computed under: 0 before classes. The server recomputes those at start
  -- (the audit chain's key never reaches the database, so the audited recomputation cannot be SQL), then sets 1.
  ADD COLUMN clock_rules integer NOT NULL DEFAULT 0,
  ADD CONSTRAINT petitions_other_body CHECK (matter_class <> 'other' OR length(coalesce(other_body, '')) >= 2);

-- A review or recheck runs its clock on a concluded case: the sweep watches those too, and escalates them once.
ALTER TABLE case_escalations DROP CONSTRAINT case_escalations_clock_check;
ALTER TABLE case_escalations ADD CONSTRAINT case_escalations_clock_check CHECK (clock IN ('accept', 'conclude', 'review', 'recheck'));

-- Referred cases went to a township with a reporting duty and a deadline the county reviews: that is 交办.
UPDATE petitions SET route = 'jiaoban' WHERE handler_side = 'township';
CREATE INDEX petitions_clock_rules ON petitions (clock_rules) WHERE clock_rules = 0;
CREATE INDEX petitions_notices_open ON petitions (matter_class)
  WHERE matter_class = 'accusation' AND NOT anonymous AND (notice_accept_at IS NULL OR notice_result_at IS NULL OR accuser_response IS NULL);

-- The policy table gains the class dimension. The three rows in force (perhaps edited by a supervisor) are the
-- 《信访工作条例》 track: they stay as 申诉's rows and are copied for 批评建议; an accusation keeps its handling period
-- and extension from them (the 检举控告 rules set no single handling period: it is the 交办 deadline).
ALTER TABLE case_deadline_policy
  ADD COLUMN matter_class text NOT NULL DEFAULT 'appeal' CHECK (matter_class IN ('accusation', 'appeal', 'suggestion', 'other')),
  ADD COLUMN source text NOT NULL DEFAULT '',
  ADD COLUMN default_days integer,
  ADD COLUMN default_counting text CHECK (default_counting IN ('calendar', 'working'));
ALTER TABLE case_deadline_policy ALTER COLUMN matter_class DROP DEFAULT;
ALTER TABLE case_deadline_policy DROP CONSTRAINT case_deadline_policy_pkey;
ALTER TABLE case_deadline_policy DROP CONSTRAINT case_deadline_policy_kind_check;
ALTER TABLE case_deadline_policy ADD PRIMARY KEY (matter_class, kind);
ALTER TABLE case_deadline_policy ADD CONSTRAINT case_deadline_policy_kind_check
  CHECK (kind IN ('accept', 'conclude', 'extension', 'notice_accept', 'notice_result', 'review', 'recheck'));

UPDATE case_deadline_policy SET source = '《信访工作条例》（2022）', default_counting = 'calendar',
  default_days = CASE kind WHEN 'accept' THEN 15 WHEN 'conclude' THEN 60 ELSE 30 END;
INSERT INTO case_deadline_policy (matter_class, kind, days, counting, due_soon_days, max_count, source, default_days, default_counting) VALUES
  ('appeal', 'review', 30, 'calendar', 7, 1, '《信访工作条例》（2022）：复查', 30, 'calendar'),
  ('appeal', 'recheck', 30, 'calendar', 7, 1, '《信访工作条例》（2022）：复核', 30, 'calendar');
INSERT INTO case_deadline_policy (matter_class, kind, days, counting, due_soon_days, max_count, source, default_days, default_counting)
  SELECT 'suggestion', kind, days, counting, due_soon_days, max_count, source, default_days, default_counting FROM case_deadline_policy WHERE matter_class = 'appeal';
INSERT INTO case_deadline_policy (matter_class, kind, days, counting, due_soon_days, max_count, source, default_days, default_counting)
  SELECT 'accusation', kind, days, counting, due_soon_days, max_count,
         '本系统原交办期限（检举控告规则未规定统一的办结期限，由交办时确定）', default_days, default_counting
  FROM case_deadline_policy WHERE matter_class = 'appeal' AND kind IN ('conclude', 'extension');
INSERT INTO case_deadline_policy (matter_class, kind, days, counting, due_soon_days, max_count, source, default_days, default_counting) VALUES
  ('accusation', 'accept', 5, 'working', 1, 1, '《纪检监察机关处理检举控告工作规则》（2020）第十六条：收到之日起5个工作日内完成登记、受理或者转办', 5, 'working'),
  ('accusation', 'notice_accept', 15, 'working', 3, 1, '《纪检监察机关处理检举控告工作规则》（2020）：实名检举控告，收到之日起15个工作日内告知受理情况', 15, 'working'),
  ('accusation', 'notice_result', 15, 'working', 3, 1, '《纪检监察机关处理检举控告工作规则》（2020）：办结之日起15个工作日内反馈处理结果，并记录反馈情况', 15, 'working'),
  ('other', 'accept', 15, 'calendar', 3, 1, '《信访工作条例》（2022）：不属于本机关职责的，告知向有权处理的机关提出（期限待核实）', 15, 'calendar');
ALTER TABLE case_deadline_policy ALTER COLUMN default_days SET NOT NULL;
ALTER TABLE case_deadline_policy ALTER COLUMN default_counting SET NOT NULL;
