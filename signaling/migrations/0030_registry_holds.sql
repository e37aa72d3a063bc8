-- Who may change the registry (issue 16, second review, finding 4): an entry linked to a county account decides who
-- that account is recused from (conflicts.ts) and whether a principal leader reads sealed matters (sealed.ts). An
-- officials import no longer changes such an entry's name, unit, position, township or management level: the change
-- is held here until a second person (not the one who imported it, not the person it describes) applies or rejects it.
CREATE TABLE registry_held_changes (
  id               uuid PRIMARY KEY,
  official_code    text NOT NULL REFERENCES officials (code),
  import_id        uuid REFERENCES registry_imports (id),
  proposed_by      uuid NOT NULL REFERENCES users (id),
  proposed_at      timestamptz NOT NULL DEFAULT now(),
  name             text NOT NULL,
  unit_code        text,
  unit_name        text,
  position         text NOT NULL,
  township_code    text REFERENCES rooms (code),
  -- NULL: the file had no 管理层级 column, so the level on file stays.
  management_level text CHECK (management_level IN ('county_managed', 'township_cadre', 'village_cadre', 'unknown')),
  state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'applied', 'rejected', 'superseded')),
  decided_by       uuid REFERENCES users (id),
  decided_at       timestamptz,
  CONSTRAINT registry_held_decided CHECK ((state IN ('applied', 'rejected')) = (decided_by IS NOT NULL AND decided_at IS NOT NULL)),
  -- The two-person rule, held by the database too.
  CONSTRAINT registry_held_second_person CHECK (decided_by IS NULL OR decided_by <> proposed_by)
);
-- One pending change per entry: a newer import supersedes the one before it.
CREATE UNIQUE INDEX registry_held_pending ON registry_held_changes (official_code) WHERE state = 'pending';
