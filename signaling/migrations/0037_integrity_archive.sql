-- 清廉档案 (issue 17): each key official's six dimensions, entered month by month by the 督查组 of their unit's 片区,
-- the month's 廉政鉴定 signed off by the team leader, and the early warnings (苗头性问题) the entries raise, each
-- tracked to closure by a 提醒 or an 教育.
--
-- What a month says about a person (property, vehicles, where their children and their spouses work, how they
-- govern and behave) is sealed with the county's personal-data key as one object per person-month, its place
-- (person and month) bound in: the database alone opens none of it. Left plain only what lists and reports count:
-- the assessment, the unit's open and overdue inspection findings, who entered and who signed. A change in
-- property is seen by comparing keyed MACs of the 个人信息 dimension, so no plaintext is needed for that rule.

CREATE TABLE archive_months (
  official_code   text NOT NULL REFERENCES officials (code),
  -- The first day of the month the entry is for.
  month           date NOT NULL CHECK (extract(day FROM month) = 1),
  dims_ct         bytea NOT NULL,
  personal_mac    bytea NOT NULL,
  -- 廉政鉴定: 良好, 一般 (needs attention), 较差 (a problem).
  assessment      text NOT NULL CHECK (assessment IN ('good', 'fair', 'poor')),
  -- 巡察审计问题: the unit's findings still being rectified, and of those the ones past their deadline.
  findings_open    integer NOT NULL CHECK (findings_open BETWEEN 0 AND 999),
  findings_overdue integer NOT NULL CHECK (findings_overdue BETWEEN 0 AND findings_open),
  entered_by      uuid NOT NULL REFERENCES users (id),
  entered_at      timestamptz NOT NULL,
  -- Signed off by the 督查组 leader: from then on the month is fixed.
  signed_by       uuid REFERENCES users (id),
  signed_at       timestamptz,
  PRIMARY KEY (official_code, month),
  CONSTRAINT archive_months_signed CHECK ((signed_by IS NULL) = (signed_at IS NULL))
);
-- The latest month per person (the portrait reads it) and the months a 片区 still has to sign.
CREATE INDEX archive_months_unsigned ON archive_months (month) WHERE signed_by IS NULL;

CREATE TABLE archive_warnings (
  id             uuid PRIMARY KEY,
  official_code  text NOT NULL REFERENCES officials (code),
  rule           text NOT NULL CHECK (rule IN ('property_changed', 'poor_assessment', 'findings_overdue', 'new_discipline')),
  -- The month whose entry raised it: one warning per person, rule and month, so saving a month again raises nothing new.
  month          date NOT NULL,
  raised_at      timestamptz NOT NULL,
  state          text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
  -- How it was closed: 提醒 (a reminder talk) or 教育 (an education measure), and a note sealed like the months.
  action         text CHECK (action IN ('remind', 'educate')),
  note_ct        bytea,
  closed_by      uuid REFERENCES users (id),
  closed_at      timestamptz,
  UNIQUE (official_code, rule, month),
  CONSTRAINT archive_warnings_closed CHECK ((state = 'closed') = (closed_at IS NOT NULL AND action IS NOT NULL AND closed_by IS NOT NULL))
);
CREATE INDEX archive_warnings_open ON archive_warnings (raised_at) WHERE state = 'open';
CREATE INDEX archive_warnings_person ON archive_warnings (official_code);
