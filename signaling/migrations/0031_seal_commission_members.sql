-- 自动密封 of a matter about any member of the county commission's leadership (issue 16, review finding 3): the
-- rule covers the commission's own leadership, its deputies and standing-committee members (副书记, 副主任, 常委) as
-- well as its principal leader. Before, only a matter naming the principal leader was sealed at intake; one naming
-- a deputy was listed to every county officer, who answer to that deputy.
--
-- True when the accused's unit and position ($2, $3), or the position alone, name a post in the county commission's
-- leadership ("县纪委监委" and "副书记", "县纪委监委领导班子" and "常委", "县监委副主任"), or when
-- vj_names_commission_leadership already reads the accused as its leadership. Not one of its offices
-- ("县纪委监委信访室" and "主任"), nor a township's commission ("春华镇纪委" and "副书记"). A name alone with a
-- deputy's title after it ("李某副书记") is not enough: that could be a deputy anywhere.
CREATE FUNCTION vj_names_commission_member(text, text, text) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT vj_names_commission_leadership($1, $2, $3)
        OR bool_or(t ~ (c || '(领导班子)?(成员)?的?(副书记|副主任|常委|常务委员)'))
    FROM (SELECT '^(.*县)?(纪委|监委|纪检监察委员会|纪律检查委员会|监察委员会)(监委)?' AS c) AS x,
         unnest(ARRAY[vj_name_key(coalesce($2, '') || coalesce($3, '')), vj_name_key(coalesce($3, ''))]) AS t
    GROUP BY c
  $$;
