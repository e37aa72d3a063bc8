-- 查办 → 建议 → 整改 → 回头看 (issue 17): each 《纪律检查建议书》 or 《监察建议书》 the commission sends to a unit, with the
-- deadline of its current 整改 round; the unit's 整改报告, the county's assessment (通过, or 退回 with a new deadline),
-- the 回头看 scheduled after acceptance and its outcome (整改到位 closes the letter, 未到位 opens a new round). Deadlines
-- are calendar days, as the letter states them. The letter holds no personal data: the people it came from are named
-- only through the discipline records it is linked to.

CREATE TABLE recommendation_letters (
  id          uuid PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('discipline', 'supervision')),
  -- 文号, e.g. 长县纪建〔2026〕3号: one letter per number.
  doc_number  text NOT NULL UNIQUE CHECK (length(doc_number) BETWEEN 2 AND 60),
  unit_code   text NOT NULL REFERENCES org_units (code),
  issued_on   date NOT NULL,
  problems    text NOT NULL CHECK (length(problems) BETWEEN 5 AND 4000),
  requests    text NOT NULL CHECK (length(requests) BETWEEN 5 AND 4000),
  -- The deadline of the current round: the letter's own, or the one a return or a 未到位 set.
  deadline    date NOT NULL,
  state       text NOT NULL DEFAULT 'awaiting_report' CHECK (state IN ('awaiting_report', 'report_received', 'review_pending', 'closed')),
  round       integer NOT NULL DEFAULT 1 CHECK (round >= 1),
  -- The 回头看 date: set by acceptance, kept (for the record) once reviewed.
  review_on   date,
  created_by  uuid NOT NULL REFERENCES users (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT recommendation_letters_deadline CHECK (deadline > issued_on),
  CONSTRAINT recommendation_letters_review CHECK (state <> 'review_pending' OR review_on IS NOT NULL)
);
CREATE INDEX recommendation_letters_unit ON recommendation_letters (unit_code);
-- The 督办 board and the open list: letters not closed, by the date they fall due.
CREATE INDEX recommendation_letters_open ON recommendation_letters (deadline) WHERE state <> 'closed';

-- The discipline records (查办) a letter came from.
CREATE TABLE recommendation_letter_records (
  letter_id  uuid NOT NULL REFERENCES recommendation_letters (id),
  record_id  text NOT NULL REFERENCES discipline_records (id),
  PRIMARY KEY (letter_id, record_id)
);
CREATE INDEX recommendation_letter_records_record ON recommendation_letter_records (record_id);

-- The letter's timeline, one row per step, in order (seq within the letter).
CREATE TABLE recommendation_letter_events (
  letter_id  uuid NOT NULL REFERENCES recommendation_letters (id),
  seq        integer NOT NULL,
  type       text NOT NULL CHECK (type IN ('issued', 'report', 'accepted', 'returned', 'review_done', 'review_not_done')),
  at         timestamptz NOT NULL,
  -- The day it happened as recorded (issued, report received, assessed, reviewed).
  day        date NOT NULL,
  text       text NOT NULL DEFAULT '' CHECK (length(text) <= 4000),
  -- A deadline this step set (issue, return, 未到位) and the 回头看 date an acceptance set.
  deadline   date,
  review_on  date,
  actor_id   uuid NOT NULL REFERENCES users (id),
  PRIMARY KEY (letter_id, seq)
);
