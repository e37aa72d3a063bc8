import {
  AppError,
  ERROR_MESSAGES,
  localDay,
  OpinionEditInput,
  OpinionRequestInput,
  type Assessment,
  type AuditAction,
  OPINION_VERDICT_LABELS,
  type OpinionDetail,
  type OpinionListAnswer,
  type OpinionSummary,
  type OpinionVerdict,
} from '@vj/shared';
import type { z } from 'zod';
import { appendAudit, type AuditDetails } from '../audit/audit-log.js';
import type { Db, Tx } from '../db/db.js';
import { NAMING } from '../registry/cross-reference.js';
import { DecryptError } from '../security/crypto.js';
import type { Claims } from '../security/jwt.js';
import { IntegrityError } from '../security/system-keys.js';
import { latestMonth } from './integrity-archive.js';
import { draftOpinion, withVerdict } from './opinion-rules.js';
import { recordOf, recordRowsOf } from './people-search.js';
import { openText, personalDataKeys, sealText } from './person-data.js';

type RequestInput = z.output<typeof OpinionRequestInput>;
type EditInput = z.output<typeof OpinionEditInput>;

const textPlace = (requestId: string, code: string) => ({ table: 'opinion_candidates', column: 'text_ct', rowId: `${requestId}|${code}` });

type SummaryRow = {
  id: string;
  purpose: OpinionSummary['purpose'];
  requester: string;
  doc_number: string;
  received_on: string;
  state: 'draft' | 'signed';
  candidates: number;
  blocked: number;
  hold: number;
  created_at: Date;
  created_by: string;
  signed_by: string | null;
  signed_at: Date | null;
};
const SUMMARY = `SELECT r.id, r.purpose, r.requester, r.doc_number, to_char(r.received_on, 'YYYY-MM-DD') AS received_on, r.state, r.created_at,
    cu.display_name AS created_by, su.display_name AS signed_by, r.signed_at,
    (SELECT count(*)::int FROM opinion_candidates c WHERE c.request_id = r.id) AS candidates,
    (SELECT count(*)::int FROM opinion_candidates c WHERE c.request_id = r.id AND c.verdict = 'blocked') AS blocked,
    (SELECT count(*)::int FROM opinion_candidates c WHERE c.request_id = r.id AND c.verdict = 'hold') AS hold
  FROM opinion_requests r JOIN users cu ON cu.id = r.created_by LEFT JOIN users su ON su.id = r.signed_by`;

/** The registry entry the reader's account is linked to, if any (回避 compares with it). */
async function ownCode(q: Tx, principal: Claims): Promise<string | null> {
  const r = await q.query<{ official_code: string | null }>('SELECT official_code FROM users WHERE id = $1', [principal.sub]);
  return r.rows[0]?.official_code ?? null;
}

const summaryOf = (r: SummaryRow): OpinionSummary => ({
  id: r.id,
  purpose: r.purpose,
  requester: r.requester,
  docNumber: r.doc_number,
  receivedOn: r.received_on,
  state: r.state,
  candidates: r.candidates,
  blocked: r.blocked,
  hold: r.hold,
  createdAt: r.created_at.toISOString(),
  signedBy: r.signed_by,
  signedAt: r.signed_at?.toISOString() ?? null,
});

/**
 * 廉政意见回复 (issue 17): a request from the organisation department is recorded with a drafted opinion per
 * candidate (opinion-rules.ts), read and reworded by 党风政风监督室, and signed by a commission leader, after which
 * it is fixed. Opening a request, every change and the signature are audited in their transaction (ids, verdicts
 * and counts; the words are sealed). A retried request (same id) is answered with what it recorded.
 */
export class IntegrityOpinions {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async list(): Promise<OpinionListAnswer> {
    const r = await this.db.query<SummaryRow>(`${SUMMARY} ORDER BY r.state, r.created_at DESC LIMIT 201`);
    return { items: r.rows.slice(0, 200).map(summaryOf), truncated: r.rows.length > 200 };
  }

  async create(principal: Claims, input: RequestInput): Promise<OpinionDetail> {
    const today = localDay(this.now());
    if (input.receivedOn > today) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.opinions.receivedInFuture, ['receivedOn']);
    if (new Set(input.codes).size !== input.codes.length) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.opinions.duplicateCodes, ['codes']);
    const keys = personalDataKeys(this.db);
    return this.db.tx(async (q) => {
      const replay = await this.replayOf(q, principal, input);
      if (replay) return replay;
      // 回避: an officer who is on the list does not record the request about themself.
      const own = await ownCode(q, principal);
      if (own && input.codes.includes(own)) throw new AppError('CONFLICT_OF_INTEREST', ERROR_MESSAGES.opinions.ownCandidate);
      const people = await q.query<{ code: string; name: string; unit_name: string | null; position: string }>(
        `SELECT o.code, o.name, u.name AS unit_name, o.position FROM officials o LEFT JOIN org_units u ON u.code = o.unit_code WHERE o.code = ANY($1::text[])`,
        [input.codes],
      );
      const byCode = new Map(people.rows.map((p) => [p.code, p]));
      const unknown = input.codes.filter((c) => !byCode.has(c));
      if (unknown.length) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.opinions.unknownPeople(unknown), ['codes']);
      const at = this.now();
      const inserted = await q.query(
        `INSERT INTO opinion_requests (id, purpose, requester, doc_number, received_on, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [input.id, input.purpose, input.requester, input.docNumber, input.receivedOn, principal.sub, at],
      );
      // The same id raced in from a second tab or a retry while this one was drafting: refused, not a server error.
      if (!inserted.rowCount) throw new AppError('CONFLICT', ERROR_MESSAGES.opinions.sameIdOther);
      const facts = await this.factsOf(q, input.codes, today);
      const counts = { blocked: 0, hold: 0 };
      for (const [i, code] of input.codes.entries()) {
        const p = byCode.get(code)!;
        const f = facts.get(code)!;
        const d = draftOpinion({ name: p.name, unitName: p.unit_name, position: p.position, today, ...f });
        if (d.verdict !== 'clear') counts[d.verdict]++;
        await q.query(
          `INSERT INTO opinion_candidates (request_id, seq, official_code, drafted, verdict, in_effect, open_accusations, text_ct) VALUES ($1, $2, $3, $4, $4, $5, $6, $7)`,
          [input.id, i + 1, code, d.verdict, d.inEffect, f.openAccusations, sealText(keys, textPlace(input.id, code), d.text)],
        );
      }
      const view = await this.detail(q, input.id);
      await this.audit(q, principal, 'opinion.request', input.id, { candidates: input.codes.length, ...counts, purpose: input.purpose });
      return view;
    });
  }

  /** A request and every opinion in it: audited, it names people and what the commission holds on them. */
  async view(principal: Claims, id: string): Promise<OpinionDetail> {
    return this.db.tx(async (q) => {
      await this.recuse(q, principal, id);
      const view = await this.detail(q, id);
      await this.audit(q, principal, 'opinion.view', id, { candidates: view.items.length });
      return view;
    });
  }

  async edit(principal: Claims, id: string, code: string, input: EditInput): Promise<OpinionDetail> {
    const keys = personalDataKeys(this.db);
    return this.db.tx(async (q) => {
      await this.lockDraft(q, id);
      await this.recuse(q, principal, id);
      const c = await q.query<{ drafted: OpinionVerdict }>('SELECT drafted FROM opinion_candidates WHERE request_id = $1 AND official_code = $2', [id, code]);
      if (!c.rows[0]) throw new AppError('NOT_FOUND', ERROR_MESSAGES.opinions.notCandidate);
      await q.query('UPDATE opinion_candidates SET verdict = $3, text_ct = $4, edited_by = $5, edited_at = $6 WHERE request_id = $1 AND official_code = $2', [
        id,
        code,
        input.verdict,
        sealText(keys, textPlace(id, code), withVerdict(input.text, input.verdict)),
        principal.sub,
        this.now(),
      ]);
      const view = await this.detail(q, id);
      // Which opinion was reworded, not what it now says about the person.
      await this.audit(q, principal, 'opinion.edit', id, { official: code });
      return view;
    });
  }

  /** The leader's signature on the reply: from then on nothing in it changes. Signing again is answered as done. */
  async sign(principal: Claims, id: string): Promise<OpinionDetail> {
    return this.db.tx(async (q) => {
      const r = await q.query<{ state: string; signed_by: string | null }>('SELECT state, signed_by FROM opinion_requests WHERE id = $1 FOR UPDATE', [id]);
      const row = r.rows[0];
      if (!row) throw new AppError('NOT_FOUND', ERROR_MESSAGES.opinions.notFound);
      await this.recuse(q, principal, id);
      if (row.state === 'signed') {
        if (row.signed_by !== principal.sub) throw new AppError('CONFLICT', ERROR_MESSAGES.opinions.signed);
        // The same leader again (a retry after a lost answer): the reply as it stands, its reading audited.
        const again = await this.detail(q, id);
        await this.audit(q, principal, 'opinion.view', id, { candidates: again.items.length });
        return again;
      }
      await q.query(`UPDATE opinion_requests SET state = 'signed', signed_by = $2, signed_at = $3 WHERE id = $1`, [id, principal.sub, this.now()]);
      const view = await this.detail(q, id);
      await this.audit(q, principal, 'opinion.sign', id, { candidates: view.candidates, blocked: view.blocked, hold: view.hold });
      return view;
    });
  }

  /** 回避: nobody reads, words or signs a reply that has them among its candidates. */
  private async recuse(q: Tx, principal: Claims, id: string): Promise<void> {
    const own = await ownCode(q, principal);
    if (!own) return;
    const r = await q.query('SELECT 1 FROM opinion_candidates WHERE request_id = $1 AND official_code = $2', [id, own]);
    if (r.rowCount) throw new AppError('CONFLICT_OF_INTEREST', ERROR_MESSAGES.opinions.ownCandidate);
  }

  /** A request already recorded under this id: the same one again is answered with it (audited as read); another is refused. */
  private async replayOf(q: Tx, principal: Claims, input: RequestInput): Promise<OpinionDetail | undefined> {
    const same = await q.query<{ created_by: string; purpose: string; requester: string; doc_number: string; received_on: string; codes: string[] }>(
      `SELECT r.created_by, r.purpose, r.requester, r.doc_number, to_char(r.received_on, 'YYYY-MM-DD') AS received_on,
              array(SELECT c.official_code FROM opinion_candidates c WHERE c.request_id = r.id ORDER BY c.seq) AS codes
         FROM opinion_requests r WHERE r.id = $1`,
      [input.id],
    );
    const r = same.rows[0];
    if (!r) return undefined;
    const identical =
      r.created_by === principal.sub &&
      r.purpose === input.purpose &&
      r.requester === input.requester &&
      r.doc_number === input.docNumber &&
      r.received_on === input.receivedOn &&
      r.codes.join('\u0000') === input.codes.join('\u0000');
    if (!identical) throw new AppError('CONFLICT', ERROR_MESSAGES.opinions.sameIdOther);
    const view = await this.detail(q, input.id);
    await this.audit(q, principal, 'opinion.view', input.id, { candidates: view.items.length });
    return view;
  }

  private async lockDraft(q: Tx, id: string): Promise<void> {
    const r = await q.query<{ state: string }>('SELECT state FROM opinion_requests WHERE id = $1 FOR UPDATE', [id]);
    if (!r.rows[0]) throw new AppError('NOT_FOUND', ERROR_MESSAGES.opinions.notFound);
    if (r.rows[0].state === 'signed') throw new AppError('CONFLICT', ERROR_MESSAGES.opinions.signed);
  }

  /**
   * What the drafts rest on, for all candidates at once: their discipline records, the accusations naming them
   * still open (never a sealed matter: NAMING says so), their open warnings and latest assessment.
   */
  private async factsOf(q: Tx, codes: string[], today: string) {
    const keys = personalDataKeys(this.db);
    const records = await recordRowsOf(q, codes);
    const archive = await q.query<{ code: string; warnings: number }>(
      `SELECT o.code, (SELECT count(*)::int FROM archive_warnings w WHERE w.official_code = o.code AND w.state = 'open') AS warnings
         FROM officials o WHERE o.code = ANY($1::text[])`,
      [codes],
    );
    const out = new Map<
      string,
      { records: ReturnType<typeof recordOf>[]; openAccusations: number; openWarnings: number; latestAssessment: Assessment | null }
    >();
    for (const a of archive.rows) out.set(a.code, { records: [], openAccusations: 0, openWarnings: a.warnings, latestAssessment: null });
    // The latest 廉政鉴定 as sealed, not the plain copy beside it (a 较差 changed in the database fails, never passes).
    for (const code of codes) out.get(code)!.latestAssessment = (await latestMonth(q, keys, code))?.assessment ?? null;
    for (const r of records) out.get(r.official_code)!.records.push(recordOf(r, today));
    // One statement for every candidate (NAMING correlated per person), not one round trip each.
    const accused = await q.query<{ code: string; n: number }>(
      `SELECT o.code, (SELECT count(*)::int FROM petitions p WHERE p.status <> 'closed' AND p.matter_class = 'accusation' AND ${NAMING('o.code', 'o.name', 'u.name')}) AS n
         FROM officials o LEFT JOIN org_units u ON u.code = o.unit_code WHERE o.code = ANY($1::text[])`,
      [codes],
    );
    for (const a of accused.rows) out.get(a.code)!.openAccusations = a.n;
    return out;
  }

  /** The request as drafted: its facts are those of the day it was recorded (asOf), not of today. */
  private async detail(q: Tx, id: string): Promise<OpinionDetail> {
    const r = await q.query<SummaryRow>(`${SUMMARY} WHERE r.id = $1`, [id]);
    const row = r.rows[0];
    if (!row) throw new AppError('NOT_FOUND', ERROR_MESSAGES.opinions.notFound);
    const keys = personalDataKeys(this.db);
    const c = await q.query<{
      seq: number;
      official_code: string;
      name: string;
      unit_name: string | null;
      position: string;
      drafted: OpinionVerdict;
      verdict: OpinionVerdict;
      in_effect: number;
      open_accusations: number;
      text_ct: Buffer;
      edited_by: string | null;
    }>(
      `SELECT c.seq, c.official_code, o.name, u.name AS unit_name, o.position, c.drafted, c.verdict, c.in_effect, c.open_accusations, c.text_ct, eu.display_name AS edited_by
         FROM opinion_candidates c JOIN officials o ON o.code = c.official_code LEFT JOIN org_units u ON u.code = o.unit_code
         LEFT JOIN users eu ON eu.id = c.edited_by WHERE c.request_id = $1 ORDER BY c.seq`,
      [id],
    );
    return {
      ...summaryOf(row),
      createdBy: row.created_by,
      asOf: localDay(row.created_at),
      items: c.rows.map((x) => {
        let text: string;
        try {
          text = openText(keys, textPlace(id, x.official_code), x.text_ct);
          // The sealed text ends in its verdict: a verdict changed in the database no longer matches it.
          if (!text.endsWith(`廉政意见：${OPINION_VERDICT_LABELS[x.verdict]}。`)) throw new DecryptError();
        } catch (err) {
          if (err instanceof DecryptError) throw new IntegrityError('opinion', `${id}|${x.official_code}`);
          throw err;
        }
        return {
          seq: x.seq,
          code: x.official_code,
          name: x.name,
          unitName: x.unit_name,
          position: x.position,
          drafted: x.drafted,
          verdict: x.verdict,
          inEffect: x.in_effect,
          openAccusations: x.open_accusations,
          text,
          editedBy: x.edited_by,
        };
      }),
    };
  }

  private audit(q: Tx, principal: Claims, action: AuditAction, objectId: string, details: AuditDetails): Promise<unknown> {
    return appendAudit(q, { actorId: principal.sub, actorRole: principal.role, action, objectType: 'opinion_request', objectId, details });
  }
}
