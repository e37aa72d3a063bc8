import { AppError, type ReceiptStatusView } from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/db.js';
import { hashPin, verifyPin } from '../security/crypto.js';
import type { Claims } from '../security/jwt.js';

const MAX_FAILURES = 5;
const LOCK_MINUTES = 15;

/**
 * The villager's status lookup by case code and PIN, from any kiosk. Wrong PIN and unknown code look the same
 * and cost the same; five wrong PINs lock a case for 15 minutes (kept in the database, so restarts and other
 * nodes do not reset it). The answer carries status and the county's feedback, never identity.
 */
export class ReceiptLookup {
  private dummy: Promise<string> | undefined;

  constructor(private readonly db: Db) {}

  async lookup(kiosk: Claims, caseCode: string, pin: string): Promise<ReceiptStatusView> {
    const r = await this.db.query<{ id: string; pin_hash: string; status: ReceiptStatusView['status']; feedback: string | null; updated_at: Date; locked: boolean; township_code: string }>(
      `SELECT id, pin_hash, status, feedback, updated_at, township_code, coalesce(receipt_locked_until > now(), false) AS locked FROM petitions WHERE case_code = $1`,
      [caseCode],
    );
    const p = r.rows[0];
    const ok = await verifyPin(pin, caseCode, p?.pin_hash ?? (await (this.dummy ??= hashPin('000000', '0000000000'))));
    const audit = { actorId: kiosk.sub, actorRole: kiosk.role, objectType: 'petition', objectId: p?.id, townshipCode: p?.township_code ?? null } as const;
    if (p?.locked) {
      await this.db.tx((q) => appendAudit(q, { ...audit, action: 'receipt.lookup_failed', details: { locked: true } }));
      throw new AppError('RATE_LIMITED', '尝试次数过多,请 15 分钟后再试');
    }
    if (!p || !ok) {
      await this.db.tx(async (q) => {
        if (p) {
          await q.query(
            `UPDATE petitions SET receipt_failures = receipt_failures + 1,
               receipt_locked_until = CASE WHEN receipt_failures + 1 >= $2 THEN now() + make_interval(mins => $3) ELSE receipt_locked_until END
             WHERE id = $1`,
            [p.id, MAX_FAILURES, LOCK_MINUTES],
          );
        }
        await appendAudit(q, { ...audit, action: 'receipt.lookup_failed', details: { knownCase: Boolean(p) } });
      });
      throw new AppError('NOT_FOUND', '查询号或密码不正确');
    }
    await this.db.tx(async (q) => {
      await q.query('UPDATE petitions SET receipt_failures = 0, receipt_locked_until = NULL WHERE id = $1', [p.id]);
      await appendAudit(q, { ...audit, action: 'receipt.lookup' });
    });
    return { caseCode, status: p.status, feedback: p.feedback, updatedAt: p.updated_at.toISOString() };
  }
}
