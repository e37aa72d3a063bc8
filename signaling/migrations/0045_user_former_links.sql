-- 回避 that survives an unlink (second live probe of issue 12, point 5): the person an account was linked to keeps
-- recusing it after the link is removed or changed. Otherwise one administrator's unlink, alone and at once, handed an
-- accused handler the matter about him. The conflict rule (cases/conflicts.ts) errs towards a match: a link made by
-- mistake costs a false match, never a missed one. For that person, the account is recused; a township handler's
-- township gets no 交办 of the matter (it stays with the county); a principal leader's matter is filed sealed.
CREATE TABLE user_former_links (
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  official_code text,
  person_name text,
  replaced_at timestamptz NOT NULL DEFAULT now(),
  CHECK (official_code IS NOT NULL OR person_name IS NOT NULL)
);
CREATE UNIQUE INDEX user_former_links_once ON user_former_links (user_id, coalesce(official_code, ''), coalesce(person_name, ''));
