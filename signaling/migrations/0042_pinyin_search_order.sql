-- 受处分人员信息查询 by pinyin initials or whole pinyin: each read in index order (key, then name and code), so a
-- short query that begins hundreds of names reads only the first page's rows instead of sorting every match.
-- Bytewise ("C") order on the keys: they are ASCII letters, and only a "C" index serves a prefix's range and
-- ORDER BY together whatever the database's collation.
CREATE INDEX officials_initials_order ON officials ((name_initials COLLATE "C"), name, code);
CREATE INDEX officials_pinyin_flat_order ON officials ((replace(name_pinyin, ' ', '') COLLATE "C"), name, code);
-- Their text_pattern_ops forerunners (0027) serve no query any more: dropped, so imports no longer keep them.
DROP INDEX officials_name_initials;
DROP INDEX officials_name_pinyin_flat;
