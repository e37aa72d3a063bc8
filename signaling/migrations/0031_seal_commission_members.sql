-- 自动密封 of a matter about any member of the county commission's leadership (issue 16, review finding 3): the
-- rule covers the commission's own leadership, its deputies and standing-committee members as well as its principal
-- leader. Before, only a matter naming the principal leader was sealed at intake; one naming a deputy was listed to
-- every county officer, who answer to that deputy.
--
-- What counts, read from the accused's name (a post written in place of a name), their unit and position together,
-- or their position alone when the unit is blank or is the commission itself:
--  - the county's 纪委 / 监委 (however joined: 纪委监委, 纪委、监委, 纪委监察委员会 …, with or without the county's
--    name, 领导班子 or 领导班子成员 after it), then a leadership post: 书记, 主任, 主要负责人 … (the principal leader,
--    vj_names_commission_leadership), or 副书记 (常务, 专职, 第一 …), 副主任, 常委 / 常务委员, or a 委员 of the 监委
--    (its members are appointed to the supervisory commission itself; a 委员 of the 纪委's plenary is not);
--  - not a rank or another post that merely begins like one (副主任科员, 书记员, 常委会秘书);
--  - not one of its offices (县纪委监委信访室 主任), and not a township's commission: a township unit with the
--    position 纪委副书记 is that township's, so the position is read alone only under a blank or commission unit.
-- Another county's commission (邻县纪委 副书记) is read as a commission's leadership too: it is not the township's to
-- handle either, and the principal leader sends it on.

-- The unit is blank, or is the county commission itself (then the position alone may name the post).
CREATE FUNCTION vj_commission_unit(text) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT coalesce(vj_name_key($1), '') = ''
        OR vj_name_key($1) ~ '^(.*县)?(纪委|监委|纪检监察委员会|纪律检查委员会|监察委员会)、?(监委|监察委员会)?(领导班子)?(成员)?$'
  $$;

-- The principal-leader rule of migration 0028, with the fixes above (a township unit's 纪委书记 is not the county's
-- principal leader; 主任科员 is not 主任).
CREATE OR REPLACE FUNCTION vj_names_commission_leadership(text, text, text) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT bool_or(t ~ (c || '((领导班子)?的?(主要负责人|负责人|主要领导|领导(?!班子)|书记|主任)|领导班子(成员)?$)' || e))
        OR vj_name_key(coalesce($1, '')) ~ (c || '(领导班子)?的?(副书记|副主任|常委|委员)' || e)
    FROM (SELECT '^(.*县)?(纪委|监委|纪检监察委员会|纪律检查委员会|监察委员会)、?(监委|监察委员会)?' AS c,
                 '(?!科员|员|助理|秘书|会)' AS e) AS x,
         unnest(ARRAY[vj_name_key(coalesce($1, '')), vj_name_key(coalesce($2, '') || coalesce($3, ''))]
                || CASE WHEN vj_commission_unit($2) THEN ARRAY[vj_name_key(coalesce($3, ''))] ELSE ARRAY[]::text[] END) AS t
    GROUP BY c, e
  $$;

CREATE FUNCTION vj_names_commission_member(text, text, text) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT vj_names_commission_leadership($1, $2, $3)
        OR bool_or(t ~ (c || '(领导班子)?(成员)?的?((常务|专职|第一)?副书记|副主任|常委|常务委员)' || e)
                OR t ~ ('^(.*县)?(纪委、?)?(监委|监察委员会)委员' || e))
    FROM (SELECT '^(.*县)?(纪委|监委|纪检监察委员会|纪律检查委员会|监察委员会)、?(监委|监察委员会)?' AS c,
                 '(?!科员|员|助理|秘书|会)' AS e) AS x,
         unnest(ARRAY[vj_name_key(coalesce($1, '')), vj_name_key(coalesce($2, '') || coalesce($3, ''))]
                || CASE WHEN vj_commission_unit($2) THEN ARRAY[vj_name_key(coalesce($3, ''))] ELSE ARRAY[]::text[] END) AS t
    GROUP BY c, e
  $$;
