-- 廉政意见回复 (issue 17): the organisation department asks the commission for an integrity opinion on a list of
-- candidates (for promotion, an award, or otherwise); the system drafts one per person from the discipline records
-- still in their 影响期, the accusations still open against them (counts only, never the accuser, never a sealed
-- matter) and the 清廉档案; 党风政风监督室 reviews and may reword each; a commission leader signs the reply, after
-- which nothing changes. What an opinion says about a person is sealed with the personal-data key (its place bound
-- in); left plain only the verdict and the counts a list shows.

CREATE TABLE opinion_requests (
  id           uuid PRIMARY KEY,
  purpose      text NOT NULL CHECK (purpose IN ('promotion', 'award', 'other')),
  -- Who asked (县委组织部…) and their letter's number, as written on the request.
  requester    text NOT NULL CHECK (length(requester) BETWEEN 2 AND 60),
  doc_number   text NOT NULL CHECK (length(doc_number) BETWEEN 2 AND 60),
  received_on  date NOT NULL,
  state        text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'signed')),
  created_by   uuid NOT NULL REFERENCES users (id),
  created_at   timestamptz NOT NULL,
  signed_by    uuid REFERENCES users (id),
  signed_at    timestamptz,
  CONSTRAINT opinion_requests_signed CHECK ((state = 'signed') = (signed_by IS NOT NULL AND signed_at IS NOT NULL))
);
CREATE INDEX opinion_requests_recent ON opinion_requests (created_at DESC);

CREATE TABLE opinion_candidates (
  request_id     uuid NOT NULL REFERENCES opinion_requests (id),
  seq            integer NOT NULL CHECK (seq >= 1),
  official_code  text NOT NULL REFERENCES officials (code),
  -- 无不同意见 (clear), 暂缓 (hold: an accusation being handled, a warning open, a 较差 assessment), 不同意 (blocked: a
  -- sanction still in its 影响期). As drafted by the rules, and as the office finally gives it.
  drafted        text NOT NULL CHECK (drafted IN ('clear', 'hold', 'blocked')),
  verdict        text NOT NULL CHECK (verdict IN ('clear', 'hold', 'blocked')),
  -- The sanctions in effect and the open accusations when drafted (counts).
  in_effect      integer NOT NULL,
  open_accusations integer NOT NULL,
  text_ct        bytea NOT NULL,
  edited_by      uuid REFERENCES users (id),
  edited_at      timestamptz,
  PRIMARY KEY (request_id, official_code),
  UNIQUE (request_id, seq)
);
