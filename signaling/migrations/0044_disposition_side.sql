-- 问题线索处置 by the body that handles the lead (issue 16): a township commission disposes of a lead 交办 to it. The
-- side that made the disposition in force decides what a township may see of it and who may record its outcome.
-- Every disposition made before this was the county's.
ALTER TABLE petitions ADD COLUMN disposition_side text CHECK (disposition_side IN ('county', 'township'));
UPDATE petitions SET disposition_side = 'county' WHERE disposition IS NOT NULL;
