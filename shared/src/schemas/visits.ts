import { z } from 'zod';
import { Id } from './common.js';
import { CalendarDay } from './recommendations.js';

/** 回访教育 (issue 17): follow-up visits to a disciplined person during the 影响期 of their sanction. */
export const VisitPlanInput = z.object({
  /** Chosen by the console: a retry after a lost answer plans the visit once. */
  id: Id,
  recordId: z.string({ error: '请选择处分记录' }).trim().min(1, '请选择处分记录').max(200, '处分记录编号格式不正确'),
  plannedOn: CalendarDay('回访日期格式应为 YYYY-MM-DD'),
});
export type VisitPlanInput = z.input<typeof VisitPlanInput>;

export const VisitRecordInput = z.object({
  doneOn: CalendarDay('回访日期格式应为 YYYY-MM-DD'),
  notes: z.string({ error: '请填写回访情况' }).trim().min(5, '请填写回访情况（至少 5 个字）').max(2000, '回访情况过长（最多 2000 字）'),
});
export type VisitRecordInput = z.input<typeof VisitRecordInput>;

export const VisitListQuery = z.object({ state: z.enum(['planned', 'done', 'all'], { error: '状态应为待回访、已回访或全部' }).default('planned') });

export const VisitView = z.object({
  id: Id,
  recordId: z.string(),
  officialCode: z.string(),
  name: z.string(),
  unitName: z.string().nullable(),
  kind: z.string(),
  decidedOn: z.string(),
  /** The last day of the 影响期 the visit falls in. */
  effectEndsOn: z.string().nullable(),
  plannedOn: z.string(),
  state: z.enum(['planned', 'done']),
  /** Planned and its day has passed. */
  overdue: z.boolean(),
  doneOn: z.string().nullable(),
  /** On the visit's own answer only; lists leave it out. */
  notes: z.string().nullable(),
  plannedBy: z.string(),
  recordedBy: z.string().nullable(),
});
export type VisitView = z.infer<typeof VisitView>;
export const VisitListAnswer = z.object({ items: z.array(VisitView), truncated: z.boolean(), asOf: z.string() });
export type VisitListAnswer = z.infer<typeof VisitListAnswer>;
