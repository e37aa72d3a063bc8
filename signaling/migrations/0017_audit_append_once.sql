-- A change and its audit row in one statement, so the chain lock is never held across a round trip.
--
-- audit_append (0011) answers a wrong head guess with the real head and lets the caller link again under the
-- lock it still holds: one more round trip, and one more wait on the application's event loop, while every
-- other audited write queues behind it. Under load the guesses of concurrent writers go wrong often (they reach
-- the lock out of order over different connections), so that queue feeds itself.
--
-- audit_append_once is for statements that end the transaction themselves (a single statement in autocommit):
-- a wrong guess raises VJ409 with the real head in DETAIL, the statement rolls back, the lock is released at
-- once, and the caller links again and resends. It appends only when `changed` (the number of rows the
-- statement's change made) is above zero, so a change that did nothing is not audited.
CREATE FUNCTION audit_append_once(
  changed bigint, lock_key bigint, prev_seq bigint, prev bytea, new_at timestamptz, new_actor_id uuid, new_actor_role text,
  new_action text, new_object_type text, new_object_id text, new_township_code text, new_details jsonb, new_hash bytea, new_suite text
) RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  head_seq bigint;
  head_hash bytea;
BEGIN
  IF changed IS NULL OR changed = 0 THEN
    RETURN NULL;
  END IF;
  PERFORM pg_advisory_xact_lock(lock_key);
  SELECT a.seq, a.hash INTO head_seq, head_hash FROM audit_log a ORDER BY a.seq DESC LIMIT 1;
  head_seq := COALESCE(head_seq, 0);
  head_hash := COALESCE(head_hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
  IF head_seq <> prev_seq OR head_hash <> prev THEN
    RAISE EXCEPTION 'audit chain head moved' USING ERRCODE = 'VJ409', DETAIL = head_seq::text || ' ' || encode(head_hash, 'hex');
  END IF;
  INSERT INTO audit_log (seq, at, actor_id, actor_role, action, object_type, object_id, township_code, details, prev_hash, hash, suite)
  VALUES (prev_seq + 1, new_at, new_actor_id, new_actor_role, new_action, new_object_type, new_object_id, new_township_code, new_details, prev, new_hash, new_suite);
  RETURN prev_seq + 1;
END
$$;
