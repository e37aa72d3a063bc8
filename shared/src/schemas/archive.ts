import { z } from 'zod';
import { Id } from './common.js';
import { PersonCodeParams } from './discipline.js';

/**
 * 清廉档案 (issue 17): a key official's six dimensions, entered monthly by the 督查组 of their 片区; the month's
 * 廉政鉴定, signed off by the team leader; the one-line portrait; and the early warnings (苗头性问题) the entries raise.
 */
export const ARCHIVE_DIMENSIONS = ['personal', 'partyGovernance', 'duty', 'spirit', 'integrity', 'findings'] as const;
export type ArchiveDimension = (typeof ARCHIVE_DIMENSIONS)[number];
export const ARCHIVE_DIMENSION_LABELS = {
  personal: '个人信息',
  partyGovernance: '管党治党',
  duty: '工作履职',
  spirit: '精神状态',
  integrity: '廉洁自律',
  findings: '巡察审计问题',
} as const satisfies Record<ArchiveDimension, string>;

/** 廉政鉴定 of a month. */
export const ASSESSMENTS = ['good', 'fair', 'poor'] as const;
export type Assessment = (typeof ASSESSMENTS)[number];
export const ASSESSMENT_LABELS = { good: '良好', fair: '一般', poor: '较差' } as const satisfies Record<Assessment, string>;

/**
 * What raises a warning: a change in property, a 较差 assessment, an overdue rectification, a new discipline record, a
 * new accusation naming the person (counted, never who made it).
 */
export const WARNING_RULES = ['property_changed', 'poor_assessment', 'findings_overdue', 'new_discipline', 'new_accusation'] as const;
export type WarningRule = (typeof WARNING_RULES)[number];
export const WARNING_RULE_LABELS = {
  property_changed: '个人财产、车辆或子女配偶从业情况有变化',
  poor_assessment: '本月廉政鉴定为较差',
  findings_overdue: '所在单位巡察审计问题整改超期',
  new_discipline: '本月新增处分记录',
  new_accusation: '新收到涉及本人的检举控告',
} as const satisfies Record<WarningRule, string>;

export const WARNING_ACTIONS = ['remind', 'educate'] as const;
export type WarningAction = (typeof WARNING_ACTIONS)[number];
export const WARNING_ACTION_LABELS = { remind: '提醒', educate: '教育' } as const satisfies Record<WarningAction, string>;

const Text = (label: string, max: number) =>
  z
    .string({ error: `请填写${label}` })
    .trim()
    .max(max, `${label}过长（最多 ${max} 字）`);
const Required = (label: string, max: number) => Text(label, max).min(1, `请填写${label}`);

/** A month written YYYY-MM, from the first month of the 18th Congress's era on; the server refuses months to come. */
export const ArchiveMonth = z.string({ error: '月份格式应为 YYYY-MM' }).regex(/^(20[1-9]\d)-(0[1-9]|1[0-2])$/, '月份格式应为 YYYY-MM');

export const ArchiveMonthParams = PersonCodeParams.extend({ month: ArchiveMonth });

export const ArchiveDims = z.object({
  /** 个人信息: property, vehicles, and the employment of children and their spouses. */
  property: Text('房产等财产情况', 1000),
  vehicles: Text('车辆情况', 500),
  family: Text('子女及其配偶从业情况', 1000),
  partyGovernance: Required('管党治党情况', 2000),
  duty: Required('工作履职情况', 2000),
  spirit: Required('精神状态', 2000),
  integrity: Required('廉洁自律情况', 2000),
  /** 巡察审计问题: the unit's findings and how their rectification stands. */
  findings: Text('巡察审计问题及整改进展', 2000),
});
export type ArchiveDims = z.infer<typeof ArchiveDims>;

export const ArchiveMonthInput = z
  .object({
    dims: ArchiveDims,
    assessment: z.enum(ASSESSMENTS, { error: '请选择廉政鉴定结果' }),
    findingsOpen: z.number({ error: '请填写正在整改的问题数' }).int('问题数应为整数').min(0, '问题数不能为负').max(999, '问题数过大'),
    findingsOverdue: z.number({ error: '请填写整改超期的问题数' }).int('问题数应为整数').min(0, '问题数不能为负').max(999, '问题数过大'),
  })
  .refine((v) => v.findingsOverdue <= v.findingsOpen, { message: '超期问题数不能多于正在整改的问题数', path: ['findingsOverdue'] });
export type ArchiveMonthInput = z.input<typeof ArchiveMonthInput>;

export const ArchiveMonthView = z.object({
  month: z.string(),
  dims: ArchiveDims,
  assessment: z.enum(ASSESSMENTS),
  findingsOpen: z.number().int(),
  findingsOverdue: z.number().int(),
  enteredBy: z.string(),
  enteredAt: z.string(),
  signedBy: z.string().nullable(),
  signedAt: z.string().nullable(),
});
export type ArchiveMonthView = z.infer<typeof ArchiveMonthView>;

export const WarningView = z.object({
  id: Id,
  officialCode: z.string(),
  name: z.string(),
  unitName: z.string().nullable(),
  rule: z.enum(WARNING_RULES),
  month: z.string(),
  raisedAt: z.string(),
  /** withdrawn: a correction of the month took away what raised it. */
  state: z.enum(['open', 'closed', 'withdrawn']),
  action: z.enum(WARNING_ACTIONS).nullable(),
  /** Shown on the person's profile only; lists leave it out. */
  note: z.string().nullable(),
  closedBy: z.string().nullable(),
  closedAt: z.string().nullable(),
});
export type WarningView = z.infer<typeof WarningView>;

export const ArchiveProfile = z.object({
  code: z.string(),
  name: z.string(),
  unitName: z.string().nullable(),
  rank: z.string(),
  keyOfficial: z.boolean(),
  /** The one-line portrait, e.g. 张某，正科级干部，无违纪违法问题，所在党组织暂无审计巡察问题。 */
  portrait: z.string(),
  /** Newest first. Only key officials have months. */
  months: z.array(ArchiveMonthView),
  warnings: z.array(WarningView),
  /** What this reader may do: enter a month (督查组 of the 片区), sign one (its leader), close a warning (督查组). */
  canEnter: z.boolean(),
  canSign: z.boolean(),
  canClose: z.boolean(),
  /** The month an entry would be for now (the county's current month). */
  currentMonth: z.string(),
});
export type ArchiveProfile = z.infer<typeof ArchiveProfile>;

export const WarningListQuery = z.object({ state: z.enum(['open', 'closed', 'all'], { error: '状态应为待处置、已办结或全部' }).default('open') });
export const WarningListAnswer = z.object({ items: z.array(WarningView), truncated: z.boolean() });
export type WarningListAnswer = z.infer<typeof WarningListAnswer>;

export const WarningCloseInput = z.object({
  action: z.enum(WARNING_ACTIONS, { error: '请选择处置方式（提醒或教育）' }),
  note: Required('处置情况', 2000),
});
export type WarningCloseInput = z.input<typeof WarningCloseInput>;

/**
 * 政治生态报告: a unit's political ecology drawn from its members' profiles: people, discipline, accusations (counts
 * only, never who made them), warnings, the unit's inspection and audit findings, and the last twelve months.
 */
export const UnitCodeParams = z.object({ code: z.string().trim().min(1, '请提供单位编码').max(40, '单位编码过长') });
export const UnitListQuery = z.object({ q: z.string().trim().max(50, '查询内容过长（最多 50 字）').default('') });
export const UnitSummary = z.object({
  code: z.string(),
  name: z.string(),
  districtName: z.string().nullable(),
  members: z.number().int(),
  keyOfficials: z.number().int(),
  openWarnings: z.number().int(),
  records: z.number().int(),
});
export type UnitSummary = z.infer<typeof UnitSummary>;
export const UnitListAnswer = z.object({ items: z.array(UnitSummary), truncated: z.boolean() });
export type UnitListAnswer = z.infer<typeof UnitListAnswer>;

export const UnitReportMonth = z.object({
  month: z.string(),
  /** Key officials with this month entered, and their 廉政鉴定. */
  entered: z.number().int(),
  good: z.number().int(),
  fair: z.number().int(),
  poor: z.number().int(),
  warnings: z.number().int(),
  records: z.number().int(),
});
export type UnitReportMonth = z.infer<typeof UnitReportMonth>;

export const UnitReport = z.object({
  code: z.string(),
  name: z.string(),
  districtName: z.string().nullable(),
  /** The county day the report was drawn up. */
  asOf: z.string(),
  members: z.number().int(),
  keyOfficials: z.number().int(),
  discipline: z.object({
    /** Records since Nov 2012 of people now in the unit. */
    total: z.number().int(),
    /** Sanctions whose 影响期 is running, or permanent. */
    inEffect: z.number().int(),
    lastYear: z.number().int(),
    party: z.number().int(),
    government: z.number().int(),
    handling: z.number().int(),
  }),
  /** openByName: of the open ones, those naming a member by name only (not linked at intake: not yet verified as them). */
  accusations: z.object({ open: z.number().int(), openByName: z.number().int(), lastYear: z.number().int() }),
  warnings: z.object({
    open: z.number().int(),
    lastYear: z.number().int(),
    closedLastYear: z.number().int(),
    byRule: z.record(z.enum(WARNING_RULES), z.number().int()),
  }),
  findings: z.object({ month: z.string(), open: z.number().int(), overdue: z.number().int() }).nullable(),
  /** The last twelve months, oldest first. */
  months: z.array(UnitReportMonth),
  /** 研判: the report's conclusions in plain sentences. */
  summary: z.array(z.string()),
});
export type UnitReport = z.infer<typeof UnitReport>;
