import type { MatterClass, PetitionStatus, Rating, ReceiptSatisfactionView } from '@vj/shared';
import type { Queryable } from '../db/db.js';

/** What decides whether a matter may be rated: its class, state and whether its result was fed back. */
export interface RatableRow {
  id: string;
  status: PetitionStatus;
  matter_class: MatterClass;
  anonymous: boolean;
  feedback: string | null;
  notice_result_at: Date | null;
  /** 密封事项 are handled by the next level up: nothing here to rate. */
  sealed?: boolean;
}

/**
 * When a villager may rate a matter: once it is concluded and its result fed back.
 * - A named accusation: once the result notice (结果反馈) was given, as the rules require it be given.
 * - Anyone else (an anonymous accusation, 申诉, 批评建议): once it was closed with the county's feedback, which is how
 *   the result reaches them (the kiosk shows it; approving a result always records it).
 * - 其他 never: the commission did not handle it, it sent the villager to another body.
 */
export function ratingState(p: RatableRow): 'none' | 'not_yet' | 'open' {
  if (p.matter_class === 'other' || p.sealed) return 'none';
  if (p.status !== 'closed') return 'not_yet';
  const fedBack = p.matter_class === 'accusation' && !p.anonymous ? p.notice_result_at !== null : Boolean(p.feedback);
  return fedBack ? 'open' : 'not_yet';
}

/** The kiosk's view of rating a matter: its state, and the rating already given. */
export async function satisfactionOf(q: Queryable, p: RatableRow): Promise<ReceiptSatisfactionView> {
  const r = await q.query<{ rating: Rating }>('SELECT rating FROM petition_ratings WHERE petition_id = $1', [p.id]);
  const given = r.rows[0]?.rating;
  if (given) return { state: 'given', rating: given };
  return { state: ratingState(p), rating: null };
}
