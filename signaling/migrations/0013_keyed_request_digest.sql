-- A petition's request digest (what a retried submission is compared with) was an unkeyed SHA-256 of the
-- submitted form, identity included: with a dump, a guessed name and ID-card number could be confirmed offline.
-- New digests are a MAC under a key never stored in the clear ("<suite>:<hex>"). The old ones are erased: they
-- only served retries, which come within minutes, and a retry of an erased one is refused as a conflict.
UPDATE petitions SET request_digest = 'erased' WHERE position(':' in request_digest) = 0;
