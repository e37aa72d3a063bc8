import { z } from 'zod';
import { Id } from './common.js';
import { CalendarDay } from './recommendations.js';

/**
 * 廉政意见回复 (issue 17): the organisation department's list of candidates, an opinion drafted per person from the
 * discipline records in their 影响期, the open accusations (counts only) and the 清廉档案, reviewed by 党风政风监督室 and
 * signed by a commission leader.
 */
export const OPINION_PURPOSES = ['promotion', 'award', 'other'] as const;
export type OpinionPurpose = (typeof OPINION_PURPOSES)[number];
export const OPINION_PURPOSE_LABELS = { promotion: '提拔使用', award: '评优评先', other: '其他' } as const satisfies Record<OpinionPurpose, string>;

export const OPINION_VERDICTS = ['clear', 'hold', 'blocked'] as const;
export type OpinionVerdict = (typeof OPINION_VERDICTS)[number];
export const OPINION_VERDICT_LABELS = { clear: '无不同意见', hold: '暂缓', blocked: '不同意' } as const satisfies Record<OpinionVerdict, string>;

/** At most this many candidates in one request. */
export const MAX_CANDIDATES = 200;

const Short = (label: string) =>
  z
    .string({ error: `请填写${label}` })
    .trim()
    .min(2, `请填写${label}`)
    .max(60, `${label}过长（最多 60 字）`);

export const OpinionRequestInput = z.object({
  /** Chosen by the console: a retry after a lost answer records the request once. */
  id: Id,
  purpose: z.enum(OPINION_PURPOSES, { error: '请选择征求意见的事由' }),
  requester: Short('来函单位'),
  docNumber: Short('来函文号'),
  receivedOn: CalendarDay('收文日期格式应为 YYYY-MM-DD'),
  codes: z
    .array(z.string().trim().min(1, '人员编码不能为空').max(200, '人员编码格式不正确'), { error: '请填写拟任人选的人员编码' })
    .min(1, '请填写拟任人选的人员编码')
    .max(MAX_CANDIDATES, `一次最多 ${MAX_CANDIDATES} 人，请分批提交`),
});
export type OpinionRequestInput = z.input<typeof OpinionRequestInput>;

export const OpinionCandidateView = z.object({
  seq: z.number().int(),
  code: z.string(),
  name: z.string(),
  unitName: z.string().nullable(),
  position: z.string(),
  drafted: z.enum(OPINION_VERDICTS),
  verdict: z.enum(OPINION_VERDICTS),
  inEffect: z.number().int(),
  openAccusations: z.number().int(),
  text: z.string(),
  editedBy: z.string().nullable(),
});
export type OpinionCandidateView = z.infer<typeof OpinionCandidateView>;

export const OpinionSummary = z.object({
  id: Id,
  purpose: z.enum(OPINION_PURPOSES),
  requester: z.string(),
  docNumber: z.string(),
  receivedOn: z.string(),
  state: z.enum(['draft', 'signed']),
  candidates: z.number().int(),
  blocked: z.number().int(),
  hold: z.number().int(),
  createdAt: z.string(),
  signedBy: z.string().nullable(),
  signedAt: z.string().nullable(),
});
export type OpinionSummary = z.infer<typeof OpinionSummary>;
export const OpinionListAnswer = z.object({ items: z.array(OpinionSummary), truncated: z.boolean() });
export type OpinionListAnswer = z.infer<typeof OpinionListAnswer>;

export const OpinionDetail = OpinionSummary.extend({ items: z.array(OpinionCandidateView), createdBy: z.string(), asOf: z.string() });
export type OpinionDetail = z.infer<typeof OpinionDetail>;

export const OpinionEditInput = z.object({
  verdict: z.enum(OPINION_VERDICTS, { error: '请选择廉政意见' }),
  text: z.string({ error: '请填写意见内容' }).trim().min(5, '意见内容过短').max(2000, '意见内容过长（最多 2000 字）'),
});
export type OpinionEditInput = z.input<typeof OpinionEditInput>;
export const OpinionCandidateParams = z.object({ id: Id, code: z.string().min(1).max(200) });
