-- Conflict-of-interest links and the evidence quota.

-- One way to compare people's names everywhere: the petition says what the villager said ("陈　志明", "陈志明 ",
-- full-width letters), the registry what the archive says. NFKC folds full-width and compatibility forms, and
-- whitespace inside a Chinese name is never significant.
CREATE FUNCTION vj_name_key(text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT regexp_replace(normalize($1, NFKC), '\s+', '', 'g') $$;

-- Evidence uploaded for a case step (a handler's or the county's handling material) must be attached to a step;
-- one left unattached is swept after a while. Files filed with the petition at intake are not: they belong to
-- the petition itself. Township uploads were always step evidence, and so is a county file already on a step; an
-- older unattached county file cannot be told from intake material, so it stays (never guess evidence away).
ALTER TABLE petition_attachments ADD COLUMN for_step boolean NOT NULL DEFAULT false;
UPDATE petition_attachments SET for_step = true WHERE origin = 'handling' OR step_id IS NOT NULL;
CREATE INDEX petition_attachments_unlinked ON petition_attachments (uploaded_at) WHERE for_step AND step_id IS NULL;
