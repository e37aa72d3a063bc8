import { z } from 'zod';
import { isValidIdCard } from '../id-card.js';
import { ROLES } from '../roles.js';
import { Id, RoomCode } from './common.js';
import { JurisdictionBar, ManagementLevel, TownshipStanding } from './jurisdiction.js';
import { CASE_ROUTES, MatterClass, NoticeVia } from './matter.js';
import { ReceiptSatisfactionView } from './satisfaction.js';

export const PETITION_CATEGORIES = ['工作作风', '侵害群众利益', '违规收受礼品礼金', '优亲厚友', '滥用职权', '违规用地建房', '财务问题', '其他'] as const;
export const PetitionCategory = z.enum(PETITION_CATEGORIES);

/** transferred: 转办, handed to the body with jurisdiction, which handles it under its own authority (no county review). */
export const PETITION_STATUSES = ['received', 'accepted', 'referred', 'transferred', 'handling', 'reported', 'returned', 'closed'] as const;
export type PetitionStatus = (typeof PETITION_STATUSES)[number];

const Text = (max: number) => z.string().trim().max(max);

export const AccusedInput = z.object({
  name: Text(40).min(1),
  unit: Text(80).default(''),
  position: Text(40).default(''),
  townshipCode: RoomCode.nullable().default(null),
  /** The registry entry the officer matched this person to at intake, if any. */
  officialCode: z.string().trim().min(1).max(40).nullable().default(null),
  /**
   * Set by the officer when no registry entry says it (a linked entry's level and standing win). A client that
   * predates levels sends none: the person is then 未确定, and the matter cannot go down until someone confirms it.
   */
  managementLevel: ManagementLevel.default('unknown'),
  standing: TownshipStanding.default('none'),
});
export type AccusedInput = z.input<typeof AccusedInput>;

/** The petitioner's identity; every field may be empty (an anonymous petition has none). */
export const IdentityInput = z.object({
  name: Text(40).default(''),
  idCard: z
    .string()
    .trim()
    .toUpperCase()
    .refine((v) => v === '' || isValidIdCard(v), '身份证号码有误，请核对 18 位号码后重新输入')
    .default(''),
  phone: z
    .string()
    .trim()
    .refine((v) => v === '' || /^1[3-9]\d{9}$/.test(v) || /^0\d{2,3}-?\d{7,8}$/.test(v), '电话号码格式不正确')
    .default(''),
  address: Text(120).default(''),
  village: Text(60).default(''),
});
export type IdentityInput = z.input<typeof IdentityInput>;
export type Identity = z.output<typeof IdentityInput>;

export const PetitionSubmitBody = z
  .object({
    /** Made by the console before the first attempt; every retry sends the same id and content. */
    id: Id,
    sessionId: Id.nullable().default(null),
    townshipCode: RoomCode,
    category: PetitionCategory,
    /**
     * The console makes the officer choose. A client that predates classes (the benchmarks) files an accusation:
     * what a commission's petition office mostly receives, and the class every petition before classes became.
     */
    matterClass: MatterClass.default('accusation'),
    /** 其他 only: the body that handles it, as the villager will be told (e.g. 县人社局劳动监察大队). */
    otherBody: Text(100).nullable().default(null),
    narrative: Text(20_000).min(1),
    accused: z.array(AccusedInput).max(20).default([]),
    identity: IdentityInput.nullable().default(null),
    /**
     * 密封事项: it concerns the county commission's own leadership. Stored sealed from its first insert: only the
     * principal leader reads it, and it goes up to the next level's commission.
     */
    sealed: z.boolean().default(false),
  })
  .superRefine((b, ctx) => {
    if (b.matterClass === 'other' && !(b.otherBody && b.otherBody.length >= 2))
      ctx.addIssue({ code: 'custom', path: ['otherBody'], message: '“其他”类事项须写明由哪个单位办理' });
    if (b.matterClass !== 'other' && b.otherBody) ctx.addIssue({ code: 'custom', path: ['otherBody'], message: '只有“其他”类事项才填写办理单位' });
  });
export type PetitionSubmitBody = z.input<typeof PetitionSubmitBody>;

export const Receipt = z.object({ petitionId: Id, caseCode: z.string().regex(/^\d{10}$/), pin: z.string().regex(/^\d{6}$/) });
export type Receipt = z.infer<typeof Receipt>;
/** `sealed`: filed sealed, by the officer's choice or because it names a principal leader of the commission (自动密封). */
export const SubmitResult = Receipt.extend({ pushedToKiosk: z.boolean(), sealed: z.boolean() });
export type SubmitResult = z.infer<typeof SubmitResult>;

/** Level and standing as the jurisdiction rule reads them: the linked registry entry's where it says, else the officer's. */
export const AccusedView = z.object({
  name: z.string(),
  unit: z.string(),
  position: z.string(),
  townshipCode: z.string().nullable(),
  officialCode: z.string().nullable(),
  managementLevel: ManagementLevel,
  standing: TownshipStanding,
});

/**
 * `filename`: the name a handler gave a piece of handling evidence. Null for the petitioner's own files: a name like
 * "张某举报材料.pdf" could say who came, so it is shown only in the audited download.
 */
export const AttachmentView = z.object({ id: Id, mime: z.string(), sizeBytes: z.number().int(), uploadedAt: z.string(), filename: z.string().nullable() });
export type AttachmentView = z.infer<typeof AttachmentView>;

/** What county officers see without a reveal: everything but who the petitioner is. */
export const CountyPetitionView = z.object({
  id: Id,
  caseCode: z.string(),
  sessionId: Id.nullable(),
  townshipCode: z.string(),
  category: z.string(),
  narrative: z.string(),
  anonymous: z.boolean(),
  matterClass: MatterClass,
  route: z.enum(CASE_ROUTES).nullable(),
  otherBody: z.string().nullable(),
  status: z.enum(PETITION_STATUSES),
  feedback: z.string().nullable(),
  createdAt: z.string(),
  dueState: z.enum(['ok', 'due_soon', 'overdue']),
  accused: z.array(AccusedView),
  /** Why the matter may not go down to its township (分级负责), most serious first; empty when it may. County-only. */
  referralBars: z.array(JurisdictionBar),
  attachments: z.array(AttachmentView),
});
export type CountyPetitionView = z.infer<typeof CountyPetitionView>;

/** What a township handler sees of a referred case: no identity, and nothing that would point to it. */
export const TownshipCaseView = z.object({
  id: Id,
  townshipCode: z.string(),
  category: z.string(),
  narrative: z.string(),
  status: z.enum(PETITION_STATUSES),
  accused: z.array(AccusedView),
  dueState: z.enum(['ok', 'due_soon', 'overdue']),
  concludeDueAt: z.string().nullable(),
  /** 交办 (report progress and the result, reviewed by the county) or 转办 (handled under the township's own authority). */
  route: z.enum(CASE_ROUTES).nullable(),
  /** 交办: when the next progress report is due. */
  progressDueAt: z.string().nullable(),
});
export type TownshipCaseView = z.infer<typeof TownshipCaseView>;

export const RevealBody = z.object({ reason: Text(500).min(5, '请写明查看身份信息的理由（至少 5 个字）') });
export const RevealResult = z.object({
  identity: z.object({ name: z.string(), idCard: z.string(), phone: z.string(), address: z.string(), village: z.string() }),
  auditSeq: z.string(),
});
export type RevealResult = z.infer<typeof RevealResult>;

export const ReceiptLookupBody = z.object({ caseCode: z.string().regex(/^\d{10}$/), pin: z.string().regex(/^\d{6}$/) });
/** A notice the county gave the named accuser, as the kiosk shows it: what was told, and when. */
export const ReceiptNoticeView = z.object({ kind: z.enum(['accept', 'result']), at: z.string(), via: NoticeVia, text: z.string() });
export const ReceiptStatusView = z.object({
  caseCode: z.string(),
  status: z.enum(PETITION_STATUSES),
  feedback: z.string().nullable(),
  updatedAt: z.string(),
  matterClass: MatterClass,
  /** 其他: the body that handles it, so the villager knows where to go. */
  otherBody: z.string().nullable(),
  notices: z.array(ReceiptNoticeView),
  /** The 复查 and 复核 opinions given, for a 信访-track matter whose petitioner asked for them. */
  reviews: z.array(z.object({ kind: z.enum(['review', 'recheck']), at: z.string(), opinion: z.string() })),
  /** Whether the villager may rate the handling now, or what they rated (issue 16). */
  satisfaction: ReceiptSatisfactionView,
  /** 密封事项: received and handled by the next level up; the answer then says nothing else. */
  handledAbove: z.boolean(),
});
export type ReceiptStatusView = z.infer<typeof ReceiptStatusView>;

export const PetitionListQuery = z.object({
  status: z.enum(PETITION_STATUSES).optional(),
  township: RoomCode.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const AuditQuery = z.object({
  actor: Id.optional(),
  objectId: z.string().max(64).optional(),
  action: z.string().max(40).optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const ChinaDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');
/** A range of days in China time, both ends included, at most a year. */
export const AuditExportQuery = z
  .object({ from: ChinaDay, to: ChinaDay })
  .refine((q) => q.from <= q.to, { message: '开始日期不能晚于结束日期', path: ['to'] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 366 * 86_400_000, { message: '一次最多导出一年', path: ['to'] });
export const AuditEntryView = z.object({
  seq: z.string(),
  at: z.string(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  actorRole: z.string().nullable(),
  action: z.string(),
  objectType: z.string().nullable(),
  objectId: z.string().nullable(),
  townshipCode: z.string().nullable(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});
export type AuditEntryView = z.infer<typeof AuditEntryView>;

export const RefreshBody = z.object({ refreshToken: z.string().regex(/^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/) });

export const AdminUserView = z.object({
  id: Id,
  username: z.string(),
  displayName: z.string(),
  role: z.enum(ROLES),
  townshipCode: z.string().nullable(),
  disabled: z.boolean(),
  /** The person behind the account, for conflict-of-interest checks: their name, and their registry entry. */
  personName: z.string().nullable(),
  official: z
    .object({ code: z.string(), name: z.string(), unitName: z.string().nullable(), position: z.string(), townshipCode: z.string().nullable() })
    .nullable(),
});
export type AdminUserView = z.infer<typeof AdminUserView>;

/** A person's name as the registry or a petition gives it: at most 40 characters once trimmed. */
export const PersonName = z.string().trim().min(1, '请填写姓名').max(40);

/**
 * Link a staff account to its person: a registry entry (the usual way), a name alone (the registry has not been
 * imported yet; the import links it later), or nothing.
 */
export const UserLinkBody = z.discriminatedUnion('link', [
  z.object({ link: z.literal('official'), officialCode: z.string().trim().min(1).max(40) }),
  z.object({ link: z.literal('name'), personName: PersonName }),
  z.object({ link: z.literal('none') }),
]);
export type UserLinkBody = z.infer<typeof UserLinkBody>;

/** Uploads to a petition: filed with it ('intake'), or evidence for a handling step the client is about to record. */
export const AttachmentUploadQuery = z.object({ purpose: z.enum(['intake', 'step']).default('intake') });

/** A kiosk device on the admin screen, with its room's Chinese name (the code is pinyin). */
export const AdminKioskView = z.object({ id: Id, roomCode: z.string(), roomName: z.string(), label: z.string(), createdAt: z.string(), revoked: z.boolean() });
export type AdminKioskView = z.infer<typeof AdminKioskView>;
