import { z } from 'zod';
import { Id } from './common.js';
import { MatterClass } from './matter.js';

/**
 * Satisfaction with a concluded matter (issue 16): the villager rates it at any kiosk with their receipt, once.
 * 不满意 opens a follow-up task (回访复核) for a county supervisor, on its own clock.
 */
export const RATINGS = ['satisfied', 'basic', 'unsatisfied'] as const;
export const Rating = z.enum(RATINGS);
export type Rating = (typeof RATINGS)[number];
export const RATING_LABELS: Record<Rating, string> = { satisfied: '满意', basic: '基本满意', unsatisfied: '不满意' };

/** The quick-pick reasons a kiosk offers; codes on the wire, so the villager's choice is counted, not typed. */
export const RATING_REASONS = ['unresolved', 'slow', 'attitude', 'unclear'] as const;
export const RatingReason = z.enum(RATING_REASONS);
export type RatingReason = (typeof RATING_REASONS)[number];
export const RATING_REASON_LABELS: Record<RatingReason, string> = {
  unresolved: '没有解决问题',
  slow: '办理太慢',
  attitude: '态度不好',
  unclear: '结果没说清楚',
};

/** A rating from the kiosk: the receipt authorises it, as it does the lookup. */
export const ReceiptRatingBody = z.object({
  caseCode: z.string().regex(/^\d{10}$/),
  pin: z.string().regex(/^\d{6}$/),
  rating: Rating,
  reasons: z
    .array(RatingReason)
    .max(RATING_REASONS.length)
    .default([])
    .refine((r) => new Set(r).size === r.length, '原因不能重复。'),
  /** The villager's own words, where a kiosk offers a way to give them; county-only, like the narrative. */
  text: z.string().trim().max(200, '原因最多 200 字。').default(''),
});
export type ReceiptRatingBody = z.input<typeof ReceiptRatingBody>;
export const ReceiptRatingAnswer = z.object({ rating: Rating, ratedAt: z.string() });
export type ReceiptRatingAnswer = z.infer<typeof ReceiptRatingAnswer>;

/**
 * What the kiosk lookup says about rating: 'not_yet' until the matter is concluded and its result fed back, then
 * 'open', then 'given' (with the rating, so the villager sees what they chose). 'none' for a matter the commission
 * did not handle itself (其他: it went to another body).
 */
export const ReceiptSatisfactionView = z.object({ state: z.enum(['none', 'not_yet', 'open', 'given']), rating: Rating.nullable() });
export type ReceiptSatisfactionView = z.infer<typeof ReceiptSatisfactionView>;

/** A follow-up task as the county's board lists it. The reason text is the villager's words: county roles only. */
export const FollowUpTaskView = z.object({
  id: Id,
  petitionId: Id,
  caseCode: z.string(),
  townshipCode: z.string(),
  matterClass: MatterClass,
  rating: Rating,
  reasons: z.array(RatingReason),
  reasonText: z.string(),
  openedAt: z.string(),
  dueAt: z.string(),
  dueState: z.enum(['ok', 'due_soon', 'overdue']),
  closedAt: z.string().nullable(),
  closedBy: z.string().nullable(),
  closeNote: z.string().nullable(),
});
export type FollowUpTaskView = z.infer<typeof FollowUpTaskView>;
export const FollowUpListQuery = z.object({ state: z.enum(['open', 'closed']).default('open') });
export const FollowUpListAnswer = z.object({ items: z.array(FollowUpTaskView) });
export type FollowUpListAnswer = z.infer<typeof FollowUpListAnswer>;
export const FollowUpCloseBody = z.object({
  note: z.string({ error: '请填写回访复核情况（至少 5 个字）。' }).trim().min(5, '请填写回访复核情况（至少 5 个字）。').max(2000, '内容过长（最多 2000 字）。'),
});
export type FollowUpCloseBody = z.input<typeof FollowUpCloseBody>;

/** Ratings per township (of the matter, not of the kiosk used): counts only, never who rated. */
export const RatingCount = z.object({ townshipCode: z.string(), satisfied: z.number(), basic: z.number(), unsatisfied: z.number() });
export type RatingCount = z.infer<typeof RatingCount>;
export const ratingTotal = (r: Pick<RatingCount, 'satisfied' | 'basic' | 'unsatisfied'>): number => r.satisfied + r.basic + r.unsatisfied;
/** 满意率: 满意 and 基本满意 over all ratings, as the satisfaction figures of 信访 work are usually given; null with none. */
export const satisfiedShare = (r: Pick<RatingCount, 'satisfied' | 'basic' | 'unsatisfied'>): number | null => {
  const n = ratingTotal(r);
  return n === 0 ? null : Math.round(((r.satisfied + r.basic) / n) * 1000) / 10;
};
