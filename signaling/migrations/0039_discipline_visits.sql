-- 回访教育 (issue 17): follow-up visits to a disciplined person during the 影响期 of their sanction, planned and recorded.
-- A visit belongs to the discipline record it follows up; what the visit found (the person's state of mind, their
-- work, their family) is sealed with the personal-data key, bound to the visit and its record.

CREATE TABLE discipline_visits (
  id           uuid PRIMARY KEY,
  record_id    text NOT NULL REFERENCES discipline_records (id),
  planned_on   date NOT NULL,
  state        text NOT NULL DEFAULT 'planned' CHECK (state IN ('planned', 'done')),
  done_on      date,
  notes_ct     bytea,
  planned_by   uuid NOT NULL REFERENCES users (id),
  planned_at   timestamptz NOT NULL,
  recorded_by  uuid REFERENCES users (id),
  recorded_at  timestamptz,
  CONSTRAINT discipline_visits_done CHECK ((state = 'done') = (done_on IS NOT NULL AND notes_ct IS NOT NULL AND recorded_by IS NOT NULL AND recorded_at IS NOT NULL))
);
-- The visits still to be made, by the day they are due.
CREATE INDEX discipline_visits_due ON discipline_visits (planned_on) WHERE state = 'planned';
CREATE INDEX discipline_visits_record ON discipline_visits (record_id);
