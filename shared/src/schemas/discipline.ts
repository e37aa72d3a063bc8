import { z } from 'zod';
import { SANCTIONS } from '../sanctions.js';
import { itemsOf } from './common.js';
import { ManagementLevel } from './jurisdiction.js';
import { PETITION_STATUSES } from './petition.js';

/** 受处分人员信息查询 (issue 17): people and their discipline records, by name (with pinyin), ID number or unit. */
export const PEOPLE_SEARCH_BY = ['name', 'id_card', 'unit'] as const;
export type PeopleSearchBy = (typeof PEOPLE_SEARCH_BY)[number];

export const PeopleQuery = z.object({
  by: z.enum(PEOPLE_SEARCH_BY, { error: '查询方式应为姓名、身份证号或单位' }).default('name'),
  q: z.string({ error: '请输入查询内容' }).trim().min(1, '请输入查询内容').max(40, '查询内容过长（最多 40 字）'),
  /** Only people with at least one discipline record. */
  disciplined: z.enum(['0', '1']).default('0'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type PeopleQuery = z.input<typeof PeopleQuery>;

export const DistrictView = z.object({ code: z.string(), name: z.string() });

export const PersonSummary = z.object({
  code: z.string(),
  name: z.string(),
  unitName: z.string().nullable(),
  district: DistrictView.nullable(),
  position: z.string(),
  rank: z.string(),
  keyOfficial: z.boolean(),
  managementLevel: ManagementLevel,
  recordCount: z.number().int(),
  /** Some sanction of theirs is still within its 影响期 today (or has none that ends). */
  inEffect: z.boolean(),
});
export type PersonSummary = z.infer<typeof PersonSummary>;
export const PeopleAnswer = itemsOf(PersonSummary).extend({ truncated: z.boolean() });
export type PeopleAnswer = z.infer<typeof PeopleAnswer>;

export const EffectView = z.object({
  state: z.enum(['in_effect', 'ended', 'permanent', 'not_sanction', 'unknown']),
  endsOn: z.string().nullable(),
});

export const DisciplineRecordView = z.object({
  id: z.string(),
  decidedOn: z.string(),
  /** The wording on file, as the source system wrote it. */
  kind: z.string(),
  sanction: z.enum(SANCTIONS).nullable(),
  probationMonths: z.number().int().nullable(),
  authority: z.string(),
  summary: z.string(),
  effect: EffectView,
});
export type DisciplineRecordView = z.infer<typeof DisciplineRecordView>;

/** An earlier accusation naming the person: the case code and where it stands, never who made it. */
export const AccusationRef = z.object({ caseCode: z.string(), status: z.enum(PETITION_STATUSES) });

export const PersonDetail = z.object({
  person: PersonSummary.omit({ recordCount: true, inEffect: true }).extend({
    /** First 6 and last 4 characters only; the full number never leaves the server. */
    idCardMasked: z.string().nullable(),
  }),
  records: z.array(DisciplineRecordView),
  /** Absent for roles that read no accusations (片区督查组). Sealed matters are never counted. */
  accusations: z.object({ total: z.number().int(), open: z.number().int(), items: z.array(AccusationRef) }).nullable(),
  /** The day the 影响期 states are computed for. */
  asOf: z.string(),
});
export type PersonDetail = z.infer<typeof PersonDetail>;

/** A registry code as imported. */
export const PersonCodeParams = z.object({ code: z.string().min(1, '人员编码格式不正确').max(200, '人员编码格式不正确') });
