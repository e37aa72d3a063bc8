-- Recognising the accused as a staff account, stronger (issue 16, review finding 1): a villager who writes
-- "县纪委书记" with no name, "郑国栋书记" (name and title), or a homophone of the name, names the person all the
-- same. conflicts.ts (accusedIsUser) is the one rule that reads these.

-- Toneless pinyin of the accused's name as the petition gives it, one syllable per character, written at intake
-- (pinyin-pro, as officials.name_pinyin); rows from before this migration get it at start (backfill).
ALTER TABLE petition_accused ADD COLUMN name_pinyin text NOT NULL DEFAULT '';

-- A name with the titles villagers put after it taken off ("郑国栋书记" → "郑国栋", "李德明同志" → "李德明"), in
-- vj_name_key's form. What is left must still be a name (two characters at least): "赵主任" stays as it is, the
-- surname-and-title rule reads it.
CREATE FUNCTION vj_bare_name(text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
    SELECT CASE WHEN length(b) >= 2 THEN b ELSE k END
    FROM (SELECT vj_name_key($1) AS k) AS x,
         LATERAL (SELECT regexp_replace(x.k, '(同志|副?书记|副?主任|副?县长|副?镇长|副?乡长|局长|所长|科长|股长|站长|干事|主席|委员|常委|组长|领导|负责人)+$', '') AS b) AS y
  $$;

-- The accused's name ($1), unit ($2) or position ($3) names the county commission's leadership in a way that may be
-- its principal leader: a principal post ("县纪委书记", "县监委主任", unit "县纪委" and position "书记", "纪委监委领导",
-- "县纪委监委领导班子" with no post), or, written in place of a name, any leadership post ("县纪委副书记", "县纪委常委":
-- the villager does not know who). A named deputy ("李某", unit "县纪委监委", position "副书记") is that deputy, for
-- the principal leader to read. Not one of its offices ("县纪委监委信访室主任"), nor a township's commission ("春华镇纪委
-- 书记": only the county, or no place at all, may come before it).
CREATE FUNCTION vj_names_commission_leadership(text, text, text) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT bool_or(t ~ (c || '((领导班子)?的?(主要负责人|负责人|主要领导|领导(?!班子)|书记|主任)|领导班子(成员)?$)'))
        OR vj_name_key(coalesce($1, '')) ~ (c || '(领导班子)?的?(副书记|副主任|常委|委员)')
    FROM (SELECT '^(.*县)?(纪委|监委|纪检监察委员会|纪律检查委员会|监察委员会)(监委)?' AS c) AS x,
         unnest(ARRAY[vj_name_key(coalesce($1, '')), vj_name_key(coalesce($2, '') || coalesce($3, '')), vj_name_key(coalesce($3, ''))]) AS t
    GROUP BY c
  $$;
