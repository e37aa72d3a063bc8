-- A number that moves whenever the deadline policy or the working calendar changes, whoever changes them. Petition
-- intake computes its first deadline from a copy of the policy kept in memory and writes only if this number is
-- still the copy's: one read less on every submission, and never a deadline from a policy already replaced.
CREATE TABLE case_policy_version (
  id       integer PRIMARY KEY CHECK (id = 1),
  version  bigint NOT NULL
);
INSERT INTO case_policy_version (id, version) VALUES (1, 1);

CREATE FUNCTION case_policy_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE case_policy_version SET version = version + 1 WHERE id = 1;
  RETURN NULL;
END
$$;

CREATE TRIGGER case_deadline_policy_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON case_deadline_policy
  FOR EACH STATEMENT EXECUTE FUNCTION case_policy_bump();
CREATE TRIGGER calendar_exceptions_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON calendar_exceptions
  FOR EACH STATEMENT EXECUTE FUNCTION case_policy_bump();
