-- 清廉档案: a new accusation naming a key official raises a warning at their next monthly entry (issue 17).
ALTER TABLE archive_warnings DROP CONSTRAINT IF EXISTS archive_warnings_rule_check;
ALTER TABLE archive_warnings ADD CONSTRAINT archive_warnings_rule_check
  CHECK (rule IN ('property_changed', 'poor_assessment', 'findings_overdue', 'new_discipline', 'new_accusation'));
