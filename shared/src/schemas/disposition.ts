import { z } from 'zod';

/**
 * 问题线索处置: after an accusation (检举控告) is accepted, a supervisor disposes of its lead in one of four ways
 * (《中国共产党纪律检查机关监督执纪工作规则》): 谈话函询, 初步核实, 暂存待查, 予以了结. Each has its outcome, recorded by the
 * handling officer. Every list of choices lives here, with its Chinese label, so the server's CSV, the console and
 * the checks read one copy.
 */
export const DISPOSITIONS = ['talk_letter', 'initial_check', 'shelve', 'close_lead'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];
export const DISPOSITION_LABELS = { talk_letter: '谈话函询', initial_check: '初步核实', shelve: '暂存待查', close_lead: '予以了结' } as const satisfies Record<
  Disposition,
  string
>;
export const Disposition = z.enum(DISPOSITIONS, { error: '请选择处置方式：谈话函询、初步核实、暂存待查或予以了结' });

/** 谈话函询: how the person's reply (函询回复) is assessed. */
export const LETTER_ASSESSMENTS = ['explained', 'not_explained'] as const;
export type LetterAssessment = (typeof LETTER_ASSESSMENTS)[number];
export const LETTER_ASSESSMENT_LABELS = { explained: '说明清楚', not_explained: '说明不清楚' } as const satisfies Record<LetterAssessment, string>;
export const LetterAssessment = z.enum(LETTER_ASSESSMENTS, { error: '请选择对函询回复的评估：说明清楚或说明不清楚' });

/** 初步核实: the conclusion. */
export const CHECK_CONCLUSIONS = ['substantiated', 'partly', 'unsubstantiated', 'unverifiable'] as const;
export type CheckConclusion = (typeof CHECK_CONCLUSIONS)[number];
export const CHECK_CONCLUSION_LABELS = {
  substantiated: '属实',
  partly: '部分属实',
  unsubstantiated: '不属实',
  unverifiable: '无法查实',
} as const satisfies Record<CheckConclusion, string>;
export const CheckConclusion = z.enum(CHECK_CONCLUSIONS, { error: '请选择初核结论：属实、部分属实、不属实或无法查实' });

/** Every outcome code, as stored (one column) and counted. */
export const DISPOSITION_OUTCOMES = [...LETTER_ASSESSMENTS, ...CHECK_CONCLUSIONS] as const;
export type DispositionOutcome = (typeof DISPOSITION_OUTCOMES)[number];
export const DISPOSITION_OUTCOME_LABELS: Record<DispositionOutcome, string> = { ...LETTER_ASSESSMENT_LABELS, ...CHECK_CONCLUSION_LABELS };
/** The dispositions that have outcome fields of their own: 暂存待查 has its review date, 予以了结 its reason. */
export const DISPOSITIONS_WITH_OUTCOME: readonly Disposition[] = ['talk_letter', 'initial_check'];

const Text = (min: number, max: number, message: string) => z.string({ error: message }).trim().min(min, message).max(max, `内容过长（最多 ${max} 字）`);

/** The supervisor's decision. 暂存待查 needs the day the lead comes back for review (checked to be in the future by the server). */
export const DispositionDecision = {
  disposition: Disposition,
  reason: Text(5, 2000, '请写明处置理由（至少 5 个字）'),
  reviewOn: z.iso.date({ error: '研判日期格式应为 2026-12-31' }).optional(),
};

/** The outcome of the disposition, by which it is. */
export const DispositionOutcomeBody = z.discriminatedUnion(
  'disposition',
  [
    z.object({ disposition: z.literal('talk_letter'), assessment: LetterAssessment, reply: Text(5, 5000, '请填写函询回复的主要内容（至少 5 个字）') }),
    z.object({ disposition: z.literal('initial_check'), conclusion: CheckConclusion, summary: Text(5, 5000, '请填写初核情况摘要（至少 5 个字）') }),
  ],
  { error: '只有谈话函询和初步核实需要记录处置结果' },
);
export type DispositionOutcomeBody = z.input<typeof DispositionOutcomeBody>;

/** A case's disposition in force: the county sees every one, a township only the one it made on a lead 交办 to it. */
export const DispositionView = z.object({
  disposition: Disposition,
  /** Who decided it: the county, or the township commission handling the lead. */
  decidedBy: z.enum(['county', 'township']),
  reason: z.string(),
  decidedAt: z.string(),
  /** 暂存待查: the day (China time) the lead comes back for review. */
  reviewOn: z.string().nullable(),
  outcome: z.enum(DISPOSITION_OUTCOMES).nullable(),
  outcomeText: z.string().nullable(),
  outcomeAt: z.string().nullable(),
});
export type DispositionView = z.infer<typeof DispositionView>;

/** One count of the statistics: by township, class, disposition and outcome ('pending' while none is recorded). Counts only. */
export const DispositionCount = z.object({
  townshipCode: z.string(),
  matterClass: z.string(),
  disposition: Disposition,
  outcome: z.union([z.enum(DISPOSITION_OUTCOMES), z.literal('pending'), z.literal('none')]),
  count: z.number(),
});
export type DispositionCount = z.infer<typeof DispositionCount>;

/** The counts summed over townships and classes: by disposition and outcome, in the lists' order. */
export function dispositionTotals(rows: readonly DispositionCount[]): Omit<DispositionCount, 'townshipCode' | 'matterClass'>[] {
  const sums = new Map<string, Omit<DispositionCount, 'townshipCode' | 'matterClass'>>();
  for (const r of rows) {
    const key = `${r.disposition}.${r.outcome}`;
    const t = sums.get(key) ?? { disposition: r.disposition, outcome: r.outcome, count: 0 };
    t.count += r.count;
    sums.set(key, t);
  }
  return [...sums.values()].sort((a, b) => DISPOSITIONS.indexOf(a.disposition) - DISPOSITIONS.indexOf(b.disposition) || a.outcome.localeCompare(b.outcome));
}
