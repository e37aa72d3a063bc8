import { z } from 'zod';
import { ERROR_MESSAGES } from '../error-messages.js';

/**
 * 分级负责、归口办理 (issue 16): each accused person's management level decides who may handle the matter. The
 * vocabularies live here so the consoles and the server share them and their labels.
 */
export const MANAGEMENT_LEVELS = ['county_managed', 'township_cadre', 'village_cadre', 'unknown'] as const;
export const ManagementLevel = z.enum(MANAGEMENT_LEVELS);
export type ManagementLevel = (typeof MANAGEMENT_LEVELS)[number];
export const MANAGEMENT_LEVEL_LABELS: Record<ManagementLevel, string> = {
  county_managed: '县管干部',
  township_cadre: '乡镇干部',
  village_cadre: '村干部',
  unknown: '未确定',
};

/** The accused person's standing in their township: its principal leaders and its own commission may not be handled by it. */
export const TOWNSHIP_STANDINGS = ['principal_leader', 'commission', 'none'] as const;
export const TownshipStanding = z.enum(TOWNSHIP_STANDINGS);
export type TownshipStanding = (typeof TOWNSHIP_STANDINGS)[number];
export const TOWNSHIP_STANDING_LABELS: Record<TownshipStanding, string> = {
  principal_leader: '乡镇主要领导（党委书记、乡镇长）',
  commission: '乡镇纪委（书记、委员）',
  none: '其他人员',
};

/** What the jurisdiction rule reads of one accused person (the registry's values where the person is linked). */
export interface JurisdictionAccused {
  managementLevel: ManagementLevel;
  standing: TownshipStanding;
  /** The township the person serves in; null when not known (then taken to be the receiving township). */
  townshipCode: string | null;
}

export const JURISDICTION_BARS = ['county_managed', 'township_leadership', 'level_unknown'] as const;
export const JurisdictionBar = z.enum(JURISDICTION_BARS);
export type JurisdictionBar = (typeof JURISDICTION_BARS)[number];

/** Why a matter may not go down to a township, as the refusal and the console say it (texts in the error catalog). */
export const JURISDICTION_BAR_TEXT: Readonly<Record<JurisdictionBar, string>> = ERROR_MESSAGES.cases.jurisdictionBars;

/**
 * Why a matter may not go down to `township`, none of which any role may override: a 县管干部 stays with the county;
 * a township's principal leaders and its commission are never handled by that township; and a person whose level
 * nobody has confirmed goes nowhere until someone does (the safe reading: a 县管干部 entered without a level must not
 * slip down). A person with no known township is taken to serve in the receiving one, for the same reason.
 * Ordered and de-duplicated, so the first is the most serious.
 */
export function jurisdictionBars(accused: readonly JurisdictionAccused[], township: string): JurisdictionBar[] {
  const bars = new Set<JurisdictionBar>();
  for (const a of accused) {
    if (a.managementLevel === 'county_managed') bars.add('county_managed');
    if (a.standing !== 'none' && (a.townshipCode === null || a.townshipCode === township)) bars.add('township_leadership');
    if (a.managementLevel === 'unknown') bars.add('level_unknown');
  }
  return JURISDICTION_BARS.filter((b) => bars.has(b));
}

/** The county setting levels after intake (a person entered without one, or a petition from before levels). */
export const AccusedJurisdictionBody = z.object({
  accused: z
    .array(z.object({ index: z.number().int().min(0).max(19), managementLevel: ManagementLevel, standing: TownshipStanding }))
    .min(1)
    .max(20)
    .refine((a) => new Set(a.map((x) => x.index)).size === a.length, '同一被反映人只能出现一次'),
});
export type AccusedJurisdictionBody = z.input<typeof AccusedJurisdictionBody>;
