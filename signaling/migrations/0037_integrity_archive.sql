-- 清廉档案 (issue 17): each key official's six dimensions, entered month by month by the 督查组 of their unit's 片区,
-- the month's 廉政鉴定 signed off by the team leader, and the early warnings (苗头性问题) the entries raise, each
-- tracked to closure by a 提醒 or an 教育.
--
-- What a month says is sealed with the county's personal-data key as one object per person-month, its place (person
-- and month) bound in: the six dimensions (property, vehicles, where their children and their spouses work, how
-- they govern and behave), the assessment, the unit's findings counts, who entered it and who signed it. The plain
-- columns beside it are copies for lists and counts, checked against the sealed object on every read: a row whose
-- copies were changed behind the application's back (a 较差 made 良好, a signature removed) is an integrity failure.

CREATE TABLE archive_months (
  official_code   text NOT NULL REFERENCES officials (code),
  -- The first day of the month the entry is for.
  month           date NOT NULL CHECK (extract(day FROM month) = 1),
  -- The unit the person was in when entered: its findings are the unit's, and follow it, not the person.
  unit_code       text REFERENCES org_units (code),
  dims_ct         bytea NOT NULL,
  -- 廉政鉴定: 良好, 一般 (needs attention), 较差 (a problem).
  assessment      text NOT NULL CHECK (assessment IN ('good', 'fair', 'poor')),
  -- 巡察审计问题: the unit's findings still being rectified, and of those the ones past their deadline.
  findings_open    integer NOT NULL CHECK (findings_open BETWEEN 0 AND 999),
  findings_overdue integer NOT NULL CHECK (findings_overdue BETWEEN 0 AND findings_open),
  entered_by      uuid NOT NULL REFERENCES users (id),
  entered_at      timestamptz NOT NULL,
  -- Signed off by the 督查组 leader (never the one who entered it): from then on the month is fixed.
  signed_by       uuid REFERENCES users (id),
  signed_at       timestamptz,
  PRIMARY KEY (official_code, month),
  CONSTRAINT archive_months_signed CHECK ((signed_by IS NULL) = (signed_at IS NULL))
);
CREATE INDEX archive_months_unit ON archive_months (unit_code, month DESC);

CREATE TABLE archive_warnings (
  id             uuid PRIMARY KEY,
  official_code  text NOT NULL REFERENCES officials (code),
  rule           text NOT NULL CHECK (rule IN ('property_changed', 'poor_assessment', 'findings_overdue', 'new_discipline')),
  -- The month whose entry raised it: one warning per person, rule and month, so saving a month again raises nothing new.
  month          date NOT NULL,
  raised_at      timestamptz NOT NULL,
  -- withdrawn: a correction of the month (or of the one before it) took away what raised it; raised again if it returns.
  state          text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed', 'withdrawn')),
  -- How it was closed: 提醒 (a reminder talk) or 教育 (an education measure), and a note sealed like the months.
  action         text CHECK (action IN ('remind', 'educate')),
  note_ct        bytea,
  closed_by      uuid REFERENCES users (id),
  closed_at      timestamptz,
  UNIQUE (official_code, rule, month),
  CONSTRAINT archive_warnings_closed CHECK (state <> 'closed' OR (closed_at IS NOT NULL AND action IS NOT NULL AND closed_by IS NOT NULL AND note_ct IS NOT NULL)),
  CONSTRAINT archive_warnings_open CHECK (state <> 'open' OR (closed_at IS NULL AND action IS NULL AND note_ct IS NULL))
);
CREATE INDEX archive_warnings_open ON archive_warnings (raised_at) WHERE state = 'open';
CREATE INDEX archive_warnings_person ON archive_warnings (official_code);
