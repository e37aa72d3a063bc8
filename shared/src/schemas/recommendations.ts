import { z } from 'zod';
import { Id } from './common.js';
import { DistrictView } from './discipline.js';

/**
 * 查办 → 建议 → 整改 → 回头看 (issue 17): each 《纪律检查建议书》 or 《监察建议书》 sent to a unit, the unit's 整改报告,
 * the county's assessment of it, and the 回头看 that follows an accepted report. Deadlines are calendar days (the
 * letter states a date), compared with the county's calendar day.
 */
export const RECOMMENDATION_KINDS = ['discipline', 'supervision'] as const;
export type RecommendationKind = (typeof RECOMMENDATION_KINDS)[number];
export const RECOMMENDATION_KIND_LABELS = { discipline: '纪律检查建议书', supervision: '监察建议书' } as const satisfies Record<RecommendationKind, string>;

/**
 * awaiting_report: issued (or a report returned, or a 回头看 found it 未到位), the unit owes its 整改报告 by the deadline;
 * report_received: the report is in, the county has not assessed it; review_pending: accepted, 回头看 scheduled;
 * closed: the 回头看 found it 整改到位. Nothing leaves closed.
 */
export const RECOMMENDATION_STATES = ['awaiting_report', 'report_received', 'review_pending', 'closed'] as const;
export type RecommendationState = (typeof RECOMMENDATION_STATES)[number];

export const REVIEW_OUTCOMES = ['done', 'not_done'] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];

/** Why a letter is on the 督办 board: no report by the deadline, a report not assessed by it, a 回头看 not done by its date. */
export const OVERDUE_REASONS = ['no_report', 'not_assessed', 'review_due'] as const;
export type OverdueReason = (typeof OVERDUE_REASONS)[number];

const Text = (min: number, max: number, message: string) => z.string({ error: message }).trim().min(min, message).max(max, `内容过长（最多 ${max} 字）`);

/** A real calendar day written YYYY-MM-DD (2026-02-30 is refused, not rolled over). */
export const CalendarDay = (message: string) =>
  z
    .string({ error: message })
    .regex(/^\d{4}-\d{2}-\d{2}$/, message)
    .refine((d) => {
      const t = Date.parse(`${d}T00:00:00Z`);
      return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === d;
    }, message);

export const RecommendationInput = z
  .object({
    id: Id,
    kind: z.enum(RECOMMENDATION_KINDS, { error: '请选择建议书种类：纪律检查建议书或监察建议书' }),
    docNumber: Text(2, 60, '请填写文号（至少 2 个字）'),
    unitCode: Text(1, 200, '请选择受文单位'),
    issuedOn: CalendarDay('请填写发出日期（年-月-日）'),
    problems: Text(5, 4000, '请写明发现的问题（至少 5 个字）'),
    requests: Text(5, 4000, '请写明整改要求（至少 5 个字）'),
    deadline: CalendarDay('请填写整改期限（年-月-日）'),
    /** The discipline records (查办) the letter came from; their people are named through the records. */
    recordIds: z
      .array(Text(1, 100, '处分记录编号格式不正确'), { error: '处分记录编号格式不正确' })
      .max(20, '一份建议书最多关联 20 条处分记录')
      .default([]),
  })
  .refine((b) => b.deadline > b.issuedOn, { message: '整改期限应晚于发出日期', path: ['deadline'] });
export type RecommendationInput = z.input<typeof RecommendationInput>;

export const RecommendationAction = z.discriminatedUnion(
  'action',
  [
    z.object({
      action: z.literal('report'),
      receivedOn: CalendarDay('请填写整改报告收到日期（年-月-日）'),
      summary: Text(5, 4000, '请填写整改报告摘要（至少 5 个字）'),
    }),
    z.object({ action: z.literal('accept'), reviewOn: CalendarDay('请填写回头看日期（年-月-日）'), note: Text(0, 2000, '评估意见格式不正确').default('') }),
    z.object({ action: z.literal('return'), reason: Text(5, 2000, '请写明退回理由（至少 5 个字）'), deadline: CalendarDay('请填写新的整改期限（年-月-日）') }),
    z
      .object({
        action: z.literal('review'),
        outcome: z.enum(REVIEW_OUTCOMES, { error: '请选择回头看结果：整改到位或未到位' }),
        notes: Text(5, 2000, '请填写回头看情况（至少 5 个字）'),
        /** 未到位: the new deadline for the unit's next report. */
        deadline: CalendarDay('请填写新的整改期限（年-月-日）').optional(),
      })
      .refine((b) => b.outcome === 'done' || b.deadline !== undefined, { message: '整改未到位的，请填写新的整改期限', path: ['deadline'] }),
  ],
  { error: '请选择要办理的事项：整改报告、通过、退回或回头看' },
);
export type RecommendationAction = z.input<typeof RecommendationAction>;

export const RecommendationListQuery = z.object({
  state: z.enum(RECOMMENDATION_STATES, { error: '状态不正确' }).optional(),
  overdue: z.enum(['0', '1'], { error: '超期筛选不正确' }).default('0'),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});
export type RecommendationListQuery = z.input<typeof RecommendationListQuery>;

export const UnitQuery = z.object({ q: Text(1, 40, '请输入单位名称中的字词') });
export const UnitOption = z.object({ code: z.string(), name: z.string(), district: DistrictView.nullable() });
export const UnitAnswer = z.object({ items: z.array(UnitOption) });
export type UnitAnswer = z.infer<typeof UnitAnswer>;

export const OverdueView = z.object({ reason: z.enum(OVERDUE_REASONS), since: z.string(), days: z.number().int() });

export const RecommendationSummary = z.object({
  id: Id,
  kind: z.enum(RECOMMENDATION_KINDS),
  docNumber: z.string(),
  unit: z.object({ code: z.string(), name: z.string() }),
  district: DistrictView.nullable(),
  issuedOn: z.string(),
  /** The deadline of the current round (a return or a 未到位 sets a new one). */
  deadline: z.string(),
  reviewOn: z.string().nullable(),
  state: z.enum(RECOMMENDATION_STATES),
  /** 1 for the first 整改; each return or 未到位 starts the next. */
  round: z.number().int(),
  overdue: OverdueView.nullable(),
});
export type RecommendationSummary = z.infer<typeof RecommendationSummary>;

export const RecommendationListAnswer = z.object({ items: z.array(RecommendationSummary), truncated: z.boolean(), asOf: z.string() });
export type RecommendationListAnswer = z.infer<typeof RecommendationListAnswer>;

export const RECOMMENDATION_EVENTS = ['issued', 'report', 'accepted', 'returned', 'review_done', 'review_not_done'] as const;
export type RecommendationEvent = (typeof RECOMMENDATION_EVENTS)[number];

export const RecommendationEventView = z.object({
  type: z.enum(RECOMMENDATION_EVENTS),
  at: z.string(),
  /** The day it happened as recorded: issued, report received, assessed, reviewed. */
  day: z.string(),
  text: z.string(),
  /** A new deadline set by this step (issue, return, 未到位). */
  deadline: z.string().nullable(),
  reviewOn: z.string().nullable(),
  byName: z.string().nullable(),
});
export type RecommendationEventView = z.infer<typeof RecommendationEventView>;

export const RecommendationLinkView = z.object({
  recordId: z.string(),
  personCode: z.string(),
  personName: z.string(),
  kind: z.string(),
  decidedOn: z.string(),
});

export const RecommendationDetail = RecommendationSummary.extend({
  problems: z.string(),
  requests: z.string(),
  links: z.array(RecommendationLinkView),
  /** Linked records of people outside the reader's 片区: counted, not shown. */
  hiddenLinks: z.number().int(),
  events: z.array(RecommendationEventView),
  asOf: z.string(),
});
export type RecommendationDetail = z.infer<typeof RecommendationDetail>;
