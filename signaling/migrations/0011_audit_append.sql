-- One round trip to append to the audit chain. Appends are serialised by an advisory lock held until commit, and
-- every round trip made while holding it is time every other audited write waits: under load, each one also
-- waits for the application's event loop. The caller computes the keyed link (the key never reaches the
-- database) against the head it expects; this takes the lock, checks that head and inserts, or, if another
-- writer moved the head, inserts nothing and returns the real head so the caller can link again under the lock
-- it now holds. Inside a volatile plpgsql function each statement takes a fresh snapshot, so the head is read
-- after the lock is granted and sees the append that released it.
CREATE FUNCTION audit_append(
  lock_key bigint, prev_seq bigint, prev bytea, new_at timestamptz, new_actor_id uuid, new_actor_role text, new_action text,
  new_object_type text, new_object_id text, new_township_code text, new_details jsonb, new_hash bytea, new_suite text
) RETURNS TABLE (appended boolean, head_seq bigint, head_hash bytea) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(lock_key);
  SELECT a.seq, a.hash INTO head_seq, head_hash FROM audit_log a ORDER BY a.seq DESC LIMIT 1;
  head_seq := COALESCE(head_seq, 0);
  head_hash := COALESCE(head_hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
  IF head_seq <> prev_seq OR head_hash <> prev THEN
    appended := false;
    RETURN NEXT;
    RETURN;
  END IF;
  INSERT INTO audit_log (seq, at, actor_id, actor_role, action, object_type, object_id, township_code, details, prev_hash, hash, suite)
  VALUES (prev_seq + 1, new_at, new_actor_id, new_actor_role, new_action, new_object_type, new_object_id, new_township_code, new_details, prev, new_hash, new_suite);
  appended := true;
  head_seq := prev_seq + 1;
  head_hash := new_hash;
  RETURN NEXT;
END
$$;
