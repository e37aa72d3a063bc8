-- 受处分人员信息查询 and, later, 清廉档案 (issue 17): the officials registry becomes the county's people and units
-- model. Units (党组织) belong to one of the 片区 whose 督查组 looks after them; people carry the 关键少数 flag, a
-- 职级 and their ID number, sealed with the county's personal-data key and findable only through a keyed blind
-- index. Discipline records carry the sanction they are (a code the 影响期 table in code understands) besides the
-- wording the source system used. The new roles: 审理室, 片区督查组 (member, leader), 党风政风监督室.

CREATE TABLE districts (
  code  text PRIMARY KEY,
  name  text NOT NULL UNIQUE
);
INSERT INTO districts (code, name) VALUES ('d1', '第一片区'), ('d2', '第二片区'), ('d3', '第三片区'), ('d4', '第四片区');

-- A unit not yet placed in a 片区 is seen county-wide only (no 督查组 sees it until it is placed).
ALTER TABLE org_units ADD COLUMN district_code text REFERENCES districts (code);
CREATE INDEX org_units_district ON org_units (district_code, code);
CREATE INDEX org_units_name_pattern ON org_units (name text_pattern_ops);

ALTER TABLE officials
  ADD COLUMN key_official  boolean NOT NULL DEFAULT false,
  -- 职级 as the personnel system writes it (正科级, 副科级…): the portrait line of later slices quotes it.
  ADD COLUMN rank          text NOT NULL DEFAULT '',
  -- Toneless pinyin of the name, syllables separated by one space, and its initials: homophone and 首字母 search.
  ADD COLUMN name_pinyin   text NOT NULL DEFAULT '',
  ADD COLUMN name_initials text NOT NULL DEFAULT '',
  -- 身份证号: sealed (crypto module, personal-data key) and a keyed MAC of the normalised number for exact lookup.
  ADD COLUMN id_card_ct    bytea,
  ADD COLUMN id_card_index bytea,
  ADD CONSTRAINT officials_id_card_pair CHECK ((id_card_ct IS NULL) = (id_card_index IS NULL));
CREATE INDEX officials_name_pattern ON officials (name text_pattern_ops);
CREATE INDEX officials_name_pinyin ON officials (name_pinyin text_pattern_ops);
CREATE INDEX officials_name_pinyin_flat ON officials ((replace(name_pinyin, ' ', '')) text_pattern_ops);
CREATE INDEX officials_name_initials ON officials (name_initials text_pattern_ops);
CREATE INDEX officials_id_card_index ON officials (id_card_index) WHERE id_card_index IS NOT NULL;
CREATE INDEX officials_unit ON officials (unit_code);
CREATE INDEX officials_key ON officials (unit_code) WHERE key_official;

-- NULL: the record is not one of the eleven sanctions (诫勉谈话, 批评教育… are 组织处理 or 第一种形态, no 影响期), or
-- its wording was not recognised at import; the wording stays in `kind` either way.
ALTER TABLE discipline_records
  ADD COLUMN sanction text CHECK (sanction IN (
    'party_warning', 'party_serious_warning', 'party_removal_from_post', 'party_probation', 'party_expulsion',
    'gov_warning', 'gov_demerit', 'gov_major_demerit', 'gov_demotion', 'gov_dismissal_from_post', 'gov_expulsion')),
  -- 留党察看 is one year or two (条例 第十二条); its 影响期 depends on which. NULL for every other sanction.
  ADD COLUMN probation_months integer CHECK (probation_months IN (12, 24)),
  ADD CONSTRAINT discipline_records_probation CHECK (probation_months IS NULL OR sanction = 'party_probation');

-- The demo and imported wordings already on file: the same mapping the importer applies (discipline/sanctions.ts).
UPDATE discipline_records SET sanction = CASE kind
  WHEN '党内警告' THEN 'party_warning' WHEN '党内严重警告' THEN 'party_serious_warning' WHEN '严重警告' THEN 'party_serious_warning'
  WHEN '撤销党内职务' THEN 'party_removal_from_post' WHEN '留党察看' THEN 'party_probation' WHEN '开除党籍' THEN 'party_expulsion'
  WHEN '政务警告' THEN 'gov_warning' WHEN '政务记过' THEN 'gov_demerit' WHEN '记过' THEN 'gov_demerit'
  WHEN '政务记大过' THEN 'gov_major_demerit' WHEN '记大过' THEN 'gov_major_demerit' WHEN '政务降级' THEN 'gov_demotion' WHEN '降级' THEN 'gov_demotion'
  WHEN '政务撤职' THEN 'gov_dismissal_from_post' WHEN '撤职' THEN 'gov_dismissal_from_post' WHEN '开除公职' THEN 'gov_expulsion' WHEN '政务开除' THEN 'gov_expulsion'
  END;

-- A 片区督查组 account belongs to one 片区, as a township account belongs to one township.
ALTER TABLE users ADD COLUMN district_code text REFERENCES districts (code);
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
  CHECK (role IN ('county_officer', 'county_supervisor', 'county_leader', 'case_reviewer', 'conduct_office', 'district_inspector', 'district_leader',
                  'township_handler', 'township_staff', 'sys_admin', 'sec_admin', 'audit_admin'));
ALTER TABLE users ADD CONSTRAINT users_district_check CHECK ((role IN ('district_inspector', 'district_leader')) = (district_code IS NOT NULL));
