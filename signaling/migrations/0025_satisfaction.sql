-- Satisfaction (issue 16): once a matter is concluded and its result fed back, the villager rates it at any kiosk
-- with their receipt (满意 / 基本满意 / 不满意), once. A 不满意 opens a follow-up task (回访复核) for a county supervisor,
-- with its own clock from the policy table; the supervisor closes it with a note.

CREATE TABLE petition_ratings (
  -- One rating per matter: the primary key is the refusal of a second one, even between two kiosks at once.
  petition_id  uuid PRIMARY KEY REFERENCES petitions (id),
  rating       text NOT NULL CHECK (rating IN ('satisfied', 'basic', 'unsatisfied')),
  -- Quick-pick reason codes (没有解决问题, 办理太慢, 态度不好, 结果没说清楚).
  reasons      text[] NOT NULL DEFAULT '{}' CHECK (reasons <@ ARRAY['unresolved', 'slow', 'attitude', 'unclear']::text[]),
  -- The villager's own words, kept as the narrative is (the matter's record, county-only, never in audit rows or logs).
  reason_text  text NOT NULL DEFAULT '' CHECK (length(reason_text) <= 200),
  rated_at     timestamptz NOT NULL
);
-- Which kiosk the rating came from is in its audit row only: where a villager went to rate says something about them.
CREATE INDEX petition_ratings_rating ON petition_ratings (rating);

CREATE TABLE follow_up_tasks (
  id           uuid PRIMARY KEY,
  petition_id  uuid NOT NULL UNIQUE REFERENCES petition_ratings (petition_id),
  opened_at    timestamptz NOT NULL,
  due_at       timestamptz NOT NULL,
  due_state    text NOT NULL DEFAULT 'ok' CHECK (due_state IN ('ok', 'due_soon', 'overdue')),
  -- The deadline sweep raises each level once: the highest level already raised.
  escalated    text CHECK (escalated IN ('due_soon', 'overdue')),
  closed_at    timestamptz,
  closed_by    uuid REFERENCES users (id),
  close_note   text,
  CONSTRAINT follow_up_tasks_closed CHECK ((closed_at IS NULL) = (closed_by IS NULL) AND (closed_at IS NULL) = (close_note IS NULL)),
  CONSTRAINT follow_up_tasks_note CHECK (close_note IS NULL OR length(close_note) >= 5)
);
CREATE INDEX follow_up_tasks_open ON follow_up_tasks (due_at) WHERE closed_at IS NULL;

-- The follow-up clock is a policy row per class the commission handles itself (其他 goes to another body and is not
-- rated). The kinds other migrations allow are kept as they are: 'follow_up' is added to whatever the check lists.
DO $$
DECLARE def text;
BEGIN
  SELECT pg_get_constraintdef(oid) INTO def FROM pg_constraint WHERE conname = 'case_deadline_policy_kind_check';
  IF def IS NOT NULL AND position('follow_up' IN def) = 0 THEN
    ALTER TABLE case_deadline_policy DROP CONSTRAINT case_deadline_policy_kind_check;
    -- def is 'CHECK (<expression>)': the new check is the old expression or 'follow_up'.
    EXECUTE 'ALTER TABLE case_deadline_policy ADD CONSTRAINT case_deadline_policy_kind_check CHECK ((kind = ''follow_up'') OR ' || substr(def, 8);
  END IF;
END $$;

INSERT INTO case_deadline_policy (matter_class, kind, days, counting, due_soon_days, max_count, source, default_days, default_counting)
SELECT c, 'follow_up', 10, 'working', 2, 1,
       '本地规定（可由管理员调整）：群众对办理结果不满意的，由县纪委监委回访复核；未找到对此期限的统一规定，默认10个工作日', 10, 'working'
FROM unnest(ARRAY['accusation', 'appeal', 'suggestion']) AS c
ON CONFLICT DO NOTHING;
