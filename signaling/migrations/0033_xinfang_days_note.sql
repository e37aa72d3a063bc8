-- Why the 《信访工作条例》 track counts calendar days (issue 16, review): the 条例 writes its periods as "日" (15日内,
-- 60日内, 30日内), where the 检举控告 rules write "工作日" (5个工作日, 15个工作日). Counted in working days, a 15-day
-- period would run about a week past the one the 条例 sets. The policy page shows the reading with the rule, so the
-- administrator who edits the row knows what a change to working days would mean. Only the text moves: no clock does.
UPDATE case_deadline_policy
  SET source = source || '（条例写“日”而不是“工作日”，本系统按自然日计算；当地规定按工作日的，可改为工作日）'
  WHERE matter_class IN ('appeal', 'suggestion') AND kind IN ('accept', 'conclude', 'extension', 'review', 'recheck')
    AND source LIKE '《信访工作条例》%' AND source NOT LIKE '%按自然日计算%';
