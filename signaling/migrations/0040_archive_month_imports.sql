-- 清廉档案's monthly update by file (issue 17): its progress and per-row errors are kept like a registry import's.
ALTER TABLE registry_imports DROP CONSTRAINT IF EXISTS registry_imports_kind_check;
ALTER TABLE registry_imports ADD CONSTRAINT registry_imports_kind_check CHECK (kind IN ('officials', 'discipline', 'archive_months'));
