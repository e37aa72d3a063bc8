-- The case workflow after intake: who handles a case (the county itself or a township), its deadlines, the
-- steps taken, escalations of missed deadlines, and the officials registry the county cross-references.

-- Deadline policy, one row per clock. Counting is per clock, so acceptance may run on working days while the
-- handling period runs on calendar days.
CREATE TABLE case_deadline_policy (
  kind           text PRIMARY KEY CHECK (kind IN ('accept', 'conclude', 'extension')),
  days           integer NOT NULL CHECK (days BETWEEN 1 AND 365),
  counting       text NOT NULL CHECK (counting IN ('calendar', 'working')),
  due_soon_days  integer NOT NULL DEFAULT 3 CHECK (due_soon_days BETWEEN 0 AND 60),
  max_count      integer NOT NULL DEFAULT 1 CHECK (max_count BETWEEN 0 AND 5),
  updated_by     uuid REFERENCES users (id),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
INSERT INTO case_deadline_policy (kind, days, counting, due_soon_days, max_count) VALUES
  ('accept', 15, 'calendar', 3, 1),
  ('conclude', 60, 'calendar', 7, 1),
  ('extension', 30, 'calendar', 0, 1);

-- Public holidays (working = false) and the weekend days worked in their place (working = true, 调休).
CREATE TABLE calendar_exceptions (
  day      date PRIMARY KEY,
  working  boolean NOT NULL,
  note     text NOT NULL DEFAULT ''
);

ALTER TABLE petitions
  ADD COLUMN handler_side       text CHECK (handler_side IN ('county', 'township')),
  ADD COLUMN assigned_handler   uuid REFERENCES users (id),
  ADD COLUMN decided_at         timestamptz,
  ADD COLUMN accept_due_at      timestamptz,
  ADD COLUMN conclude_due_at    timestamptz,
  ADD COLUMN extensions_used    integer NOT NULL DEFAULT 0,
  ADD COLUMN extension_pending  jsonb,
  ADD COLUMN reported_at        timestamptz,
  ADD COLUMN closed_at          timestamptz,
  ADD COLUMN due_state          text NOT NULL DEFAULT 'ok' CHECK (due_state IN ('ok', 'due_soon', 'overdue')),
  ADD COLUMN version            integer NOT NULL DEFAULT 0;
UPDATE petitions SET accept_due_at = created_at + interval '15 days' WHERE accept_due_at IS NULL;
UPDATE petitions SET handler_side = 'township', decided_at = updated_at, conclude_due_at = updated_at + interval '60 days'
  WHERE status IN ('referred', 'handling', 'reported', 'returned');
CREATE INDEX petitions_open_due ON petitions (due_state) WHERE status <> 'closed';

-- Everything done to a case after intake, in order. Text is the handlers' own words about the handling;
-- it never holds the petitioner's identity, and logs never carry it.
CREATE TABLE case_steps (
  id           uuid PRIMARY KEY,
  petition_id  uuid NOT NULL REFERENCES petitions (id),
  action       text NOT NULL,
  from_status  text NOT NULL,
  to_status    text NOT NULL,
  text         text NOT NULL DEFAULT '',
  days         integer,
  actor_id     uuid NOT NULL REFERENCES users (id),
  actor_role   text NOT NULL,
  side         text NOT NULL CHECK (side IN ('county', 'township')),
  at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_steps_petition ON case_steps (petition_id, at);

-- Evidence a handler attaches to a step lives with the petition's other files, under the same data key, but
-- is marked so that township roles can see their own handling evidence and never the petitioner's files.
ALTER TABLE petition_attachments
  ADD COLUMN origin   text NOT NULL DEFAULT 'intake' CHECK (origin IN ('intake', 'handling')),
  ADD COLUMN step_id  uuid REFERENCES case_steps (id);

-- One row per missed (or nearly missed) deadline. The unique key makes the scheduled check idempotent when
-- several nodes run it at once: only one insert wins, and only the winner notifies.
CREATE TABLE case_escalations (
  id           uuid PRIMARY KEY,
  petition_id  uuid NOT NULL REFERENCES petitions (id),
  clock        text NOT NULL CHECK (clock IN ('accept', 'conclude')),
  level        text NOT NULL CHECK (level IN ('due_soon', 'overdue')),
  due_at       timestamptz NOT NULL,
  notified     jsonb NOT NULL,
  notified_at  timestamptz NOT NULL,
  UNIQUE (petition_id, clock, level, due_at)
);
CREATE INDEX case_escalations_recent ON case_escalations (notified_at DESC);

-- The officials registry and discipline records are imported from the county's existing systems (清廉档案,
-- 受处分人员信息); this system links to them, it does not maintain them.
CREATE TABLE org_units (
  code           text PRIMARY KEY,
  name           text NOT NULL,
  township_code  text REFERENCES rooms (code)
);
CREATE INDEX org_units_name ON org_units (name);

CREATE TABLE officials (
  code           text PRIMARY KEY,
  name           text NOT NULL,
  unit_code      text REFERENCES org_units (code),
  position       text NOT NULL DEFAULT '',
  township_code  text REFERENCES rooms (code),
  imported_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX officials_name ON officials (name);

CREATE TABLE discipline_records (
  id             text PRIMARY KEY,
  official_code  text NOT NULL REFERENCES officials (code),
  decided_on     date NOT NULL,
  kind           text NOT NULL,
  reason         text NOT NULL,
  authority      text NOT NULL DEFAULT ''
);
CREATE INDEX discipline_records_official ON discipline_records (official_code, decided_on DESC);

CREATE TABLE registry_imports (
  id              uuid PRIMARY KEY,
  kind            text NOT NULL CHECK (kind IN ('officials', 'discipline')),
  status          text NOT NULL CHECK (status IN ('running', 'done', 'failed')),
  total_rows      integer NOT NULL DEFAULT 0,
  processed_rows  integer NOT NULL DEFAULT 0,
  imported_rows   integer NOT NULL DEFAULT 0,
  error_count     integer NOT NULL DEFAULT 0,
  errors          jsonb NOT NULL DEFAULT '[]'::jsonb,
  started_by      uuid NOT NULL REFERENCES users (id),
  started_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz
);

ALTER TABLE petition_accused ADD COLUMN official_code text REFERENCES officials (code);
CREATE INDEX petition_accused_official ON petition_accused (official_code);

-- A console user who is also in the registry: the link that lets conflict-of-interest checks recognise a
-- handler named in a petition.
ALTER TABLE users
  ADD COLUMN person_name    text,
  ADD COLUMN official_code  text REFERENCES officials (code);
