-- vj_bare_name (migration 0028), unchanged, in PL/pgSQL, as 0034 did for the leadership rules. As an SQL function
-- it cannot be inlined (its body reads FROM a subquery), so each statement that called it planned its body again:
-- intake's leadership check calls it for every county_leader account it compares an accused with, and
-- pg_stat_statements counted 12,480 plannings of it for 3,120 submits at 200 a second. PL/pgSQL keeps its plan for
-- the connection's life. Same body, same answers.
CREATE OR REPLACE FUNCTION vj_bare_name(text) RETURNS text
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
  BEGIN
    RETURN (
    SELECT CASE WHEN length(b) >= 2 THEN b ELSE k END
    FROM (SELECT vj_name_key($1) AS k) AS x,
         LATERAL (SELECT regexp_replace(x.k, '(同志|副?书记|副?主任|副?县长|副?镇长|副?乡长|局长|所长|科长|股长|站长|干事|主席|委员|常委|组长|领导|负责人)+$', '') AS b) AS y
    );
  END
  $$;
