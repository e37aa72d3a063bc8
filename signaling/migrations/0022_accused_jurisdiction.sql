-- 分级负责、归口办理 (issue 16): each accused person's management level, and their standing in their township, decide
-- whether a matter may go down to a township commission. The officials registry carries the level (imported) and
-- the standing (read from the position and unit); a petition's accused row carries what intake settled on.

-- A township's principal leaders (党委书记, 乡镇长; a 街道's 党工委书记 and 办事处主任) and its own commission (纪委,
-- 纪工委) read from the registry's position and unit name. A village or community unit's 党委书记 is a village
-- cadre, not the township's leader; a 副 title is not a principal one. A best reading of titles as the personnel
-- system writes them: the officer confirms or corrects it on the case screen.
CREATE FUNCTION vj_official_standing(title text, unit_name text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT CASE
      WHEN x.u ~ '(村|社区|居委会)' THEN 'none'
      WHEN x.u ~ '(纪委|纪工委|纪检监察)' OR x.p ~ '(纪委|纪工委)' THEN 'commission'
      WHEN x.p !~ '副' AND (x.p ~ '(党委书记|党工委书记|乡长|镇长)$' OR (x.u ~ '(党委|党工委)$' AND x.p = '书记') OR (x.u ~ '(街道办事处|人民政府)$' AND x.p = '主任'))
        THEN 'principal_leader'
      ELSE 'none'
    END
    FROM (SELECT vj_name_key(coalesce(title, '')) AS p, vj_name_key(coalesce(unit_name, '')) AS u) AS x
  $$;

ALTER TABLE officials
  -- The personnel system's 管理层级; entries imported before it are 未确定 until the next import says.
  ADD COLUMN management_level text NOT NULL DEFAULT 'unknown' CHECK (management_level IN ('county_managed', 'township_cadre', 'village_cadre', 'unknown')),
  ADD COLUMN standing text NOT NULL DEFAULT 'none' CHECK (standing IN ('principal_leader', 'commission', 'none'));
UPDATE officials o SET standing = vj_official_standing(o.position, (SELECT u.name FROM org_units u WHERE u.code = o.unit_code));

-- Petitions before levels: every accused person is 未确定 (nobody asked), so none of those matters goes down until an
-- officer confirms the level on the case screen; a person matched to the registry takes the standing it gives.
-- Referrals already made stand: the rule governs the decision to send a matter down, not one already taken.
ALTER TABLE petition_accused
  ADD COLUMN management_level text NOT NULL DEFAULT 'unknown' CHECK (management_level IN ('county_managed', 'township_cadre', 'village_cadre', 'unknown')),
  ADD COLUMN standing text NOT NULL DEFAULT 'none' CHECK (standing IN ('principal_leader', 'commission', 'none'));
UPDATE petition_accused a SET management_level = o.management_level, standing = o.standing FROM officials o WHERE o.code = a.official_code;
