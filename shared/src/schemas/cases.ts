import { z } from 'zod';
import { Id } from './common.js';
import { AccuserResponse, CASE_ROUTES, MatterClass, NoticeVia, NOTICE_KINDS, POLICY_KINDS } from './matter.js';
import { DispositionCount, DispositionDecision, DispositionOutcomeBody, DispositionView } from './disposition.js';
import { ManagementLevel, TownshipStanding } from './jurisdiction.js';
import { AttachmentView, PETITION_STATUSES, TownshipCaseView } from './petition.js';
import { RatingCount } from './satisfaction.js';

const Text = (min: number, max: number, message?: string) => z.string().trim().min(min, message).max(max);

/**
 * One workflow action. `stepId` is made by the client before the first attempt: a retry of an action that
 * already happened answers with the case as it is, instead of failing or acting twice.
 */
const base = { stepId: Id };
export const CaseTransitionBody = z.discriminatedUnion('action', [
  z.object({ ...base, action: z.literal('accept'), text: Text(0, 2000).default('') }),
  z.object({
    ...base,
    action: z.literal('refer'),
    text: Text(0, 2000).default(''),
    handlerId: Id.nullable().default(null),
    /**
     * 交办的办结期限: the last day (China time) the township has to report the result. Absent: the policy's handling
     * period from the 交办 (or the deadline the county already set when it accepted the matter first).
     */
    dueDate: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, '办结期限应写成“年-月-日”，例如 2026-12-31')
      .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), '办结期限不是有效日期')
      .optional(),
    /** A supervisor's override of a conflict-of-interest refusal; the reason is audited. */
    overrideReason: Text(5, 500, '请写明越过回避规则的理由（至少 5 个字）').optional(),
  }),
  z.object({
    ...base,
    action: z.literal('transfer'),
    /** 转办 to the matter's township commission, or to a named outside body (then `otherBody` says which). */
    to: z.enum(['township', 'other']),
    otherBody: Text(2, 100, '请写明接收转办的单位（至少 2 个字）').optional(),
    text: Text(0, 2000).default(''),
    handlerId: Id.nullable().default(null),
    overrideReason: Text(5, 500, '请写明越过回避规则的理由（至少 5 个字）').optional(),
  }),
  z.object({ ...base, action: z.literal('record_transfer_outcome'), text: Text(5, 5000, '请填写办理结果（至少 5 个字）') }),
  z.object({
    ...base,
    action: z.literal('report_progress'),
    text: Text(5, 5000, '请填写进展情况（至少 5 个字）'),
    attachmentIds: z.array(Id).max(10).default([]),
  }),
  z.object({ ...base, action: z.literal('township_accept'), text: Text(0, 2000).default('') }),
  z.object({ ...base, action: z.literal('add_step'), text: Text(1, 5000, '请填写办理情况'), attachmentIds: z.array(Id).max(10).default([]) }),
  z.object({ ...base, action: z.literal('report'), text: Text(5, 10_000, '请填写办理结果（至少 5 个字）'), attachmentIds: z.array(Id).max(10).default([]) }),
  z.object({ ...base, action: z.literal('return'), text: Text(5, 2000, '请写明退回重办的意见（至少 5 个字）') }),
  z.object({ ...base, action: z.literal('approve'), feedback: Text(5, 1000, '请填写给信访人的反馈（至少 5 个字）'), text: Text(0, 2000).default('') }),
  z.object({ ...base, action: z.literal('request_extension'), days: z.number().int().min(1).max(365), text: Text(5, 1000, '请写明延期理由（至少 5 个字）') }),
  z.object({ ...base, action: z.literal('decide_extension'), approve: z.boolean(), text: Text(0, 1000).default('') }),
  z.object({
    ...base,
    action: z.literal('forward_other'),
    /** Where it was sent, when it differs from what intake recorded. */
    otherBody: Text(2, 100, '请写明办理单位（至少 2 个字）').optional(),
    text: Text(0, 2000).default(''),
  }),
  z.object({ ...base, action: z.literal('notify_accept'), via: NoticeVia, text: Text(5, 1000, '请填写告知内容（至少 5 个字）') }),
  z.object({ ...base, action: z.literal('notify_result'), via: NoticeVia, text: Text(5, 1000, '请填写反馈内容（至少 5 个字）') }),
  z.object({ ...base, action: z.literal('request_review'), text: Text(2, 2000, '请记录复查请求的理由（至少 2 个字）') }),
  z.object({ ...base, action: z.literal('decide_review'), opinion: Text(5, 2000, '请填写复查意见（至少 5 个字）'), text: Text(0, 2000).default('') }),
  z.object({ ...base, action: z.literal('request_recheck'), text: Text(2, 2000, '请记录复核请求的理由（至少 2 个字）') }),
  z.object({ ...base, action: z.literal('decide_recheck'), opinion: Text(5, 2000, '请填写复核意见（至少 5 个字）'), text: Text(0, 2000).default('') }),
  z.object({ ...base, action: z.literal('decide_disposition'), ...DispositionDecision }),
  z.object({ ...base, action: z.literal('record_outcome'), outcome: DispositionOutcomeBody }),
  z.object({ ...base, action: z.literal('record_response'), response: AccuserResponse, text: Text(2, 2000, '请如实记录检举控告人的意见（至少 2 个字）') }),
]);
export type CaseTransitionBody = z.input<typeof CaseTransitionBody>;

export const DUE_STATES = ['ok', 'due_soon', 'overdue'] as const;
/**
 * The clocks a case runs one at a time: acceptance, handling, then on request 复查 and 复核 of a concluded 信访-track matter;
 * a lead in 暂存待查 runs 'shelved' instead of handling, until the day it comes back for review. A 交办 matter also owes
 * a progress report: whichever of 'progress' and 'conclude' falls due first is the one it runs.
 */
export const CASE_CLOCKS = ['accept', 'conclude', 'review', 'recheck', 'shelved', 'progress'] as const;
export type CaseClock = (typeof CASE_CLOCKS)[number];
export type DueState = (typeof DUE_STATES)[number];

export const CaseStepView = z.object({
  id: Id,
  action: z.string(),
  fromStatus: z.enum(PETITION_STATUSES),
  toStatus: z.enum(PETITION_STATUSES),
  text: z.string(),
  days: z.number().nullable(),
  actorName: z.string(),
  actorRole: z.string(),
  side: z.enum(['county', 'township']),
  at: z.string(),
  attachments: z.array(AttachmentView),
});
export type CaseStepView = z.infer<typeof CaseStepView>;

export const EscalationView = z.object({
  clock: z.enum(CASE_CLOCKS),
  level: z.enum(['due_soon', 'overdue']),
  dueAt: z.string(),
  notified: z.array(z.object({ userId: z.string(), name: z.string(), role: z.string() })),
  notifiedAt: z.string(),
});
export type EscalationView = z.infer<typeof EscalationView>;

/** The named-accuser notices of a case, for the county only (their existence says the accuser gave their name). */
export const CaseNoticesView = z.object({
  acceptDueAt: z.string().nullable(),
  acceptGivenAt: z.string().nullable(),
  resultDueAt: z.string().nullable(),
  resultGivenAt: z.string().nullable(),
  response: AccuserResponse.nullable(),
  responseText: z.string().nullable(),
  responseAt: z.string().nullable(),
});
export type CaseNoticesView = z.infer<typeof CaseNoticesView>;

/** A 复查 or 复核: when it was asked for, when it is due, and the opinion once given. */
export const CaseReviewView = z.object({
  requestedAt: z.string(),
  dueAt: z.string().nullable(),
  decidedAt: z.string().nullable(),
  opinion: z.string().nullable(),
});
export type CaseReviewView = z.infer<typeof CaseReviewView>;

export const CaseWorkflowView = z.object({
  status: z.enum(PETITION_STATUSES),
  matterClass: MatterClass,
  route: z.enum(CASE_ROUTES).nullable(),
  /** 转办 to an outside body: which (null for a township or the county). */
  transferTo: z.string().nullable(),
  /** 交办: when the next progress report is due (null when none is owed now). */
  progressDueAt: z.string().nullable(),
  /** Whether the petitioner gave their name: null for a township, which never learns it. */
  named: z.boolean().nullable(),
  /** Null for a township, and for matters with no notice duty (anonymous, or not an accusation). */
  notices: CaseNoticesView.nullable(),
  review: CaseReviewView.nullable(),
  recheck: CaseReviewView.nullable(),
  /** 问题线索处置: null until decided; for a township, null unless the township decided it. */
  disposition: DispositionView.nullable(),
  /**
   * For a township on a lead 交办 to it: the county disposed of it before (the township assists, and neither decides nor
   * records one). What the county decided is never said; whether it did is what a refused decision would say anyway.
   */
  leadHeldByCounty: z.boolean(),
  side: z.enum(['county', 'township']).nullable(),
  assignedHandler: z.object({ id: Id, name: z.string() }).nullable(),
  acceptDueAt: z.string().nullable(),
  concludeDueAt: z.string().nullable(),
  dueState: z.enum(DUE_STATES),
  extensionsUsed: z.number(),
  extensionPending: z.object({ days: z.number(), reason: z.string(), requestedAt: z.string() }).nullable(),
  steps: z.array(CaseStepView),
  escalations: z.array(EscalationView),
});
export type CaseWorkflowView = z.infer<typeof CaseWorkflowView>;

export const DeadlinePolicyRow = z.object({
  matterClass: MatterClass,
  kind: z.enum(POLICY_KINDS),
  days: z.number().int().min(1).max(365),
  counting: z.enum(['calendar', 'working']),
  dueSoonDays: z.number().int().min(0).max(60),
  maxCount: z.number().int().min(0).max(5),
});
export type DeadlinePolicyRow = z.infer<typeof DeadlinePolicyRow>;
/** A policy row as the page shows it: with the rule its default comes from, and that default. */
export const DeadlinePolicyRowView = DeadlinePolicyRow.extend({
  source: z.string(),
  defaultDays: z.number().int(),
  defaultCounting: z.enum(['calendar', 'working']),
});
export type DeadlinePolicyRowView = z.infer<typeof DeadlinePolicyRowView>;
export const DeadlinePolicyBody = z.object({
  rows: z.array(DeadlinePolicyRow).min(1).max(40),
  exceptions: z
    .array(z.object({ day: z.iso.date(), working: z.boolean(), note: z.string().trim().max(40).default('') }))
    .max(400)
    .optional(),
});

export const DeadlineCaseView = z.object({
  id: Id,
  caseCode: z.string(),
  townshipCode: z.string(),
  category: z.string(),
  status: z.enum(PETITION_STATUSES),
  side: z.enum(['county', 'township']).nullable(),
  dueState: z.enum(DUE_STATES),
  clock: z.enum(CASE_CLOCKS),
  dueAt: z.string(),
  escalations: z.array(EscalationView),
});
export type DeadlineCaseView = z.infer<typeof DeadlineCaseView>;

/** One named-accuser notice to give (or a response to record), for the county's feedback screen. */
export const NoticeDueView = z.object({
  id: Id,
  caseCode: z.string(),
  townshipCode: z.string(),
  status: z.enum(PETITION_STATUSES),
  kind: z.enum(NOTICE_KINDS),
  /** Null for a response to record: no rule sets a clock on it. */
  dueAt: z.string().nullable(),
  dueState: z.enum(DUE_STATES),
});
export type NoticeDueView = z.infer<typeof NoticeDueView>;

export const StatsQuery = z.object({ months: z.coerce.number().int().min(1).max(36).default(12) });
export const TownshipStats = z.object({
  townshipCode: z.string(),
  received: z.number(),
  inHandling: z.number(),
  overdue: z.number(),
  closed: z.number(),
  avgHandlingDays: z.number().nullable(),
});
export const CaseStatsView = z.object({
  townships: z.array(TownshipStats),
  totals: TownshipStats.omit({ townshipCode: true }),
  months: z.array(z.object({ month: z.string(), received: z.number(), closed: z.number() })),
  /** 问题线索处置: counts by township, class, disposition and outcome (rows with a count only). */
  dispositions: z.array(DispositionCount),
  /** Satisfaction ratings by the matter's township (rows with at least one rating only). */
  ratings: z.array(RatingCount),
});
export type CaseStatsView = z.infer<typeof CaseStatsView>;

export const REGISTRY_KINDS = ['officials', 'discipline'] as const;
export const RegistryImportQuery = z.object({ kind: z.enum(REGISTRY_KINDS) });
/** Imports with a progress bar and a per-row error report: the registry's two, and 清廉档案's monthly update. */
export const IMPORT_KINDS = [...REGISTRY_KINDS, 'archive_months'] as const;
export const RegistryImportView = z.object({
  id: Id,
  kind: z.enum(IMPORT_KINDS),
  status: z.enum(['running', 'done', 'failed']),
  totalRows: z.number(),
  processedRows: z.number(),
  importedRows: z.number(),
  errorCount: z.number(),
  errors: z.array(z.object({ line: z.number(), message: z.string() })),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type RegistryImportView = z.infer<typeof RegistryImportView>;

/** An entry as the registry holds it, or as an import would change it (fields that decide recusal only). */
const HeldEntry = z.object({
  name: z.string(),
  unitCode: z.string().nullable(),
  unitName: z.string().nullable(),
  position: z.string(),
  townshipCode: z.string().nullable(),
  /** Null in a proposal: the file had no 管理层级 column and the level on file stays. */
  managementLevel: ManagementLevel.nullable(),
});
/**
 * A change an officials import made to the entry of a person linked to a county account: held until a second
 * person applies or rejects it (the entry decides whom that account is recused from).
 */
export const HeldChangeView = z.object({
  id: Id,
  officialCode: z.string(),
  importId: Id.nullable(),
  proposedBy: z.object({ id: Id, displayName: z.string() }),
  proposedAt: z.string(),
  current: HeldEntry,
  proposed: HeldEntry,
  state: z.enum(['pending', 'applied', 'rejected', 'superseded']),
  /** False for the one who imported it and for the person it describes: the second person must be someone else. */
  mayDecide: z.boolean(),
});
export type HeldChangeView = z.infer<typeof HeldChangeView>;
export const HeldChangesAnswer = z.object({ items: z.array(HeldChangeView) });
export type HeldChangesAnswer = z.infer<typeof HeldChangesAnswer>;
export const HeldDecisionBody = z.object({ decision: z.enum(['apply', 'reject']) });
export type HeldDecisionBody = z.infer<typeof HeldDecisionBody>;

export const OfficialSearchQuery = z.object({ q: z.string().trim().min(1).max(40), limit: z.coerce.number().int().min(1).max(50).default(10) });
export const OfficialView = z.object({
  code: z.string(),
  name: z.string(),
  unitName: z.string().nullable(),
  position: z.string(),
  townshipCode: z.string().nullable(),
  /** 管理层级 as imported (未确定 until the personnel system says), and the standing read from position and unit. */
  managementLevel: ManagementLevel,
  standing: TownshipStanding,
});
export type OfficialView = z.infer<typeof OfficialView>;

/** The admin's registry search when linking an account: by name, unit or code. */
export const AdminOfficialQuery = z.object({ q: z.string().trim().min(1).max(40), limit: z.coerce.number().int().min(1).max(50).default(20) });
/** A registry entry, with the accounts already linked to it (a person may have two accounts; the admin sees it). */
export const AdminOfficialView = OfficialView.extend({ linkedUsers: z.array(z.string()) });
export type AdminOfficialView = z.infer<typeof AdminOfficialView>;

export const CrossReferenceView = z.object({
  accused: z.array(
    z.object({
      name: z.string(),
      unit: z.string(),
      /** Registry entries this accused person was matched to: by the link made at intake, else by name and unit. */
      matches: z.array(
        OfficialView.extend({
          linked: z.boolean(),
          discipline: z.array(z.object({ id: z.string(), decidedOn: z.string(), kind: z.string(), reason: z.string(), authority: z.string() })),
          otherPetitions: z.array(
            z.object({ id: Id, caseCode: z.string(), townshipCode: z.string(), status: z.enum(PETITION_STATUSES), createdAt: z.string() }),
          ),
        }),
      ),
    }),
  ),
});
export type CrossReferenceView = z.infer<typeof CrossReferenceView>;

/** A township handler's case: the referred allegation, its deadline and the handling so far, never identity. */
export const TownshipCaseDetail = TownshipCaseView.extend({ workflow: CaseWorkflowView });
export type TownshipCaseDetail = z.infer<typeof TownshipCaseDetail>;

export const RecordingPauseBody = z.object({ paused: z.boolean(), reason: z.string().trim().min(5, '请写明暂停或恢复录像的理由（至少 5 个字）').max(500) });
export const RecordingGrantBody = z.object({ grant: z.boolean(), reason: z.string().trim().min(5, '请写明授权理由（至少 5 个字）').max(500) });
