-- 问题线索处置 (issue 16): an accepted accusation's lead is disposed of by a supervisor in one of four ways, with a
-- reason, and the disposition's outcome is recorded by the handling officer. The disposition in force is kept on the
-- petition (a lead in 暂存待查 may be decided again when it comes back for review); every decision and outcome is also
-- a case step and an audit row.

ALTER TABLE petitions
  ADD COLUMN disposition text CHECK (disposition IN ('talk_letter', 'initial_check', 'shelve', 'close_lead')),
  ADD COLUMN disposition_reason text,
  ADD COLUMN disposition_at timestamptz,
  -- 暂存待查: the end of the day (China time) the lead comes back for review; the deadline sweep raises it then.
  ADD COLUMN disposition_review_due_at timestamptz,
  -- 谈话函询: the assessment of the reply (说明清楚 / 说明不清楚); 初步核实: the conclusion (属实 / 部分属实 / 不属实 / 无法查实).
  ADD COLUMN disposition_outcome text CHECK (disposition_outcome IN ('explained', 'not_explained', 'substantiated', 'partly', 'unsubstantiated', 'unverifiable')),
  -- The 函询 reply, or the 初核 summary.
  ADD COLUMN disposition_outcome_text text,
  ADD COLUMN disposition_outcome_at timestamptz,
  ADD CONSTRAINT petitions_disposition_class CHECK (disposition IS NULL OR matter_class = 'accusation'),
  ADD CONSTRAINT petitions_disposition_reason CHECK (disposition IS NULL OR length(coalesce(disposition_reason, '')) >= 1),
  ADD CONSTRAINT petitions_disposition_shelve CHECK (disposition IS DISTINCT FROM 'shelve' OR disposition_review_due_at IS NOT NULL),
  ADD CONSTRAINT petitions_disposition_outcome CHECK (
    disposition_outcome IS NULL
    OR (disposition = 'talk_letter' AND disposition_outcome IN ('explained', 'not_explained'))
    OR (disposition = 'initial_check' AND disposition_outcome IN ('substantiated', 'partly', 'unsubstantiated', 'unverifiable')));

-- The statistics count by disposition and outcome.
CREATE INDEX petitions_disposition ON petitions (township_code, disposition, disposition_outcome) WHERE disposition IS NOT NULL;

-- A lead in 暂存待查 runs its own clock until its review day: the sweep escalates it like the others.
ALTER TABLE case_escalations DROP CONSTRAINT case_escalations_clock_check;
ALTER TABLE case_escalations ADD CONSTRAINT case_escalations_clock_check CHECK (clock IN ('accept', 'conclude', 'review', 'recheck', 'shelved'));
