import { AppError, type NoticeVia, type ReceiptStatusView, ERROR_MESSAGES } from '@vj/shared';
import { appendAudit, type AuditEntry } from '../audit/audit-log.js';
import type { Db, Tx } from '../db/db.js';
import type { RateLimiter } from '../http/rate-limit.js';
import { checkPin, pinVerifier, pinVerifierIsLegacy } from '../security/crypto.js';
import type { Claims } from '../security/jwt.js';
import { satisfactionOf } from '../cases/satisfaction-rules.js';

/** Who acted on a receipt, for its audit row: the kiosk device, and the petition it opened. */
export type ReceiptAudit = Omit<AuditEntry, 'action' | 'details'>;

export interface ReceiptRow {
  id: string;
  anonymous: boolean;
  pin_hash: string;
  status: ReceiptStatusView['status'];
  feedback: string | null;
  updated_at: Date;
  created_at: Date;
  township_code: string;
  sealed: boolean;
  matter_class: ReceiptStatusView['matterClass'];
  other_body: string | null;
  notice_accept_at: Date | null;
  notice_accept_via: NoticeVia | null;
  notice_accept_text: string | null;
  notice_result_at: Date | null;
  notice_result_via: NoticeVia | null;
  notice_result_text: string | null;
  review_decided_at: Date | null;
  review_opinion: string | null;
  recheck_decided_at: Date | null;
  recheck_opinion: string | null;
}

/** The 复查 and 复核 opinions given: the villager's answer to their own request. */
function reviewsGiven(p: ReceiptRow): ReceiptStatusView['reviews'] {
  const out: ReceiptStatusView['reviews'] = [];
  if (p.review_decided_at && p.review_opinion) out.push({ kind: 'review', at: p.review_decided_at.toISOString(), opinion: p.review_opinion });
  if (p.recheck_decided_at && p.recheck_opinion) out.push({ kind: 'recheck', at: p.recheck_decided_at.toISOString(), opinion: p.recheck_opinion });
  return out;
}

/** The notices the county gave, as the villager who holds the receipt was told them; never the response they gave. */
function noticesGiven(p: ReceiptRow): ReceiptStatusView['notices'] {
  const out: ReceiptStatusView['notices'] = [];
  if (p.notice_accept_at && p.notice_accept_via)
    out.push({ kind: 'accept', at: p.notice_accept_at.toISOString(), via: p.notice_accept_via, text: p.notice_accept_text ?? '' });
  if (p.notice_result_at && p.notice_result_via)
    out.push({ kind: 'result', at: p.notice_result_at.toISOString(), via: p.notice_result_via, text: p.notice_result_text ?? '' });
  return out;
}

/** Wrong answers for one case code from one kiosk before that pair waits. */
export const MAX_FAILURES = 5;
export const LOCK_MINUTES = 15;
/** Look-ups per kiosk device (its credential, not its address) in ten minutes, whatever the codes. */
export const DEVICE_LIMIT = 20;
const DEVICE_WINDOW_MS = 10 * 60_000;

const WRONG = () => new AppError('NOT_FOUND', ERROR_MESSAGES.petitions.receiptWrong);
const LOCKED = () => new AppError('RATE_LIMITED', ERROR_MESSAGES.petitions.receiptLocked);

/**
 * The villager's status lookup by case code and PIN, from any kiosk.
 * - No existence oracle: an unknown code and a wrong PIN get the same answer, the same cost and the same
 *   lock-out, because failures are counted per (kiosk device, case code) whether the code exists or not.
 * - No lock-out by strangers: a stranger failing at one kiosk locks only that kiosk for that code; the villager's
 *   right PIN still works from any other kiosk. Each kiosk credential also has its own look-up budget.
 * - The PIN is checked against a keyed verifier (microseconds, nothing to brute-force offline from a dump).
 * The answer carries status and the county's feedback, never identity.
 */
export class ReceiptLookup {
  constructor(
    private readonly db: Db,
    private readonly limiter: RateLimiter,
  ) {}

  /**
   * The receipt's code and PIN checked with the lock-out; a failure is counted and audited here and answered with
   * the same words whether the code exists or not. On success `act` runs in the transaction that clears the failures,
   * so what the receipt authorised and its audit row commit together, or (when `act` refuses) nothing does.
   */
  async authorise<T>(kiosk: Claims, caseCode: string, pin: string, act: (q: Tx, p: ReceiptRow, audit: ReceiptAudit) => Promise<T>): Promise<T> {
    const device = kiosk.sub;
    if (!(await this.limiter.hit(`receipt-device:${device}`, DEVICE_LIMIT, DEVICE_WINDOW_MS))) throw LOCKED();
    const keys = this.db.integrity;
    if (!keys) throw new Error('integrity keys not loaded');
    const lock = await this.db.query<{ locked: boolean }>(
      'SELECT coalesce(locked_until > now(), false) AS locked FROM receipt_attempts WHERE device_id = $1 AND case_code = $2',
      [device, caseCode],
    );
    const r = await this.db.query<ReceiptRow>(
      `SELECT id, pin_hash, status, feedback, updated_at, created_at, township_code, sealed, matter_class, other_body, anonymous,
              notice_accept_at, notice_accept_via, notice_accept_text, notice_result_at, notice_result_via, notice_result_text,
              review_decided_at, review_opinion, recheck_decided_at, recheck_opinion
       FROM petitions WHERE case_code = $1`,
      [caseCode],
    );
    const p = r.rows[0];
    // An unknown code is checked against a verifier made the same way, so it costs what a wrong PIN costs.
    const stored = p?.pin_hash ?? pinVerifier(keys.suite, keys.key('receipt-pin-verifier'), '00000000-0000-0000-0000-000000000000', caseCode, '');
    const ok =
      (await checkPin(stored, (suite) => keys.key('receipt-pin-verifier', suite), p?.id ?? '00000000-0000-0000-0000-000000000000', caseCode, pin)) &&
      p !== undefined;
    // A sealed matter's rows record that it was looked up, not where it came from.
    const audit = {
      actorId: kiosk.sub,
      actorRole: kiosk.role,
      objectType: 'petition',
      objectId: p?.id,
      townshipCode: p && !p.sealed ? p.township_code : null,
    } as const;
    if (lock.rows[0]?.locked) {
      await this.db.tx((q) => appendAudit(q, { ...audit, action: 'receipt.lookup_failed', details: { locked: true } }));
      throw LOCKED();
    }
    if (!ok || !p) {
      await this.db.tx(async (q) => {
        // The window restarts once a lock has run out, so a villager who waited gets five fresh tries.
        await q.query(
          `INSERT INTO receipt_attempts (device_id, case_code, failures, first_failed_at, locked_until) VALUES ($1, $2, 1, now(), NULL)
           ON CONFLICT (device_id, case_code) DO UPDATE SET
             failures = CASE WHEN receipt_attempts.locked_until IS NOT NULL AND receipt_attempts.locked_until <= now() THEN 1 ELSE receipt_attempts.failures + 1 END,
             locked_until = CASE
               WHEN receipt_attempts.locked_until IS NOT NULL AND receipt_attempts.locked_until <= now() THEN NULL
               WHEN receipt_attempts.failures + 1 >= $3 THEN now() + make_interval(mins => $4)
               ELSE receipt_attempts.locked_until END`,
          [device, caseCode, MAX_FAILURES, LOCK_MINUTES],
        );
        await appendAudit(q, { ...audit, action: 'receipt.lookup_failed', details: { knownCase: Boolean(p) } });
      });
      throw WRONG();
    }
    return this.db.tx(async (q) => {
      await q.query('DELETE FROM receipt_attempts WHERE device_id = $1 AND case_code = $2', [device, caseCode]);
      // Receipts issued before PIN verifiers were keyed carry a slow hash: replaced now that the PIN is known.
      if (pinVerifierIsLegacy(p.pin_hash, keys.suite)) {
        await q.query('UPDATE petitions SET pin_hash = $2 WHERE id = $1', [
          p.id,
          pinVerifier(keys.suite, keys.key('receipt-pin-verifier'), p.id, caseCode, pin),
        ]);
      }
      return act(q, p, { ...audit, objectId: p.id });
    });
  }

  async lookup(kiosk: Claims, caseCode: string, pin: string): Promise<ReceiptStatusView> {
    const p = await this.authorise(kiosk, caseCode, pin, async (q, row, audit) => {
      await appendAudit(q, { ...audit, action: 'receipt.lookup' });
      return row;
    });
    // 密封事项: the villager learns it was received and is handled above, and nothing of its handling here.
    if (p.sealed) {
      return {
        caseCode,
        status: 'received',
        feedback: null,
        updatedAt: p.created_at.toISOString(),
        matterClass: 'accusation',
        otherBody: null,
        notices: [],
        reviews: [],
        satisfaction: { state: 'none', rating: null },
        handledAbove: true,
      };
    }
    const satisfaction = await satisfactionOf(this.db, p);
    return {
      caseCode,
      status: p.status,
      feedback: p.feedback,
      updatedAt: p.updated_at.toISOString(),
      matterClass: p.matter_class,
      otherBody: p.other_body,
      notices: noticesGiven(p),
      reviews: reviewsGiven(p),
      satisfaction,
      handledAbove: false,
    };
  }
}
