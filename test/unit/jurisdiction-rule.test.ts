import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  jurisdictionBars,
  MANAGEMENT_LEVEL_LABELS,
  MANAGEMENT_LEVELS,
  TOWNSHIP_STANDING_LABELS,
  TOWNSHIP_STANDINGS,
  type JurisdictionAccused,
} from '@vj/shared';
import { REPO } from '../helpers/server.js';

const who = (
  managementLevel: JurisdictionAccused['managementLevel'],
  standing: JurisdictionAccused['standing'] = 'none',
  townshipCode: string | null = null,
): JurisdictionAccused => ({
  managementLevel,
  standing,
  townshipCode,
});

describe('分级负责: the jurisdiction rule the server enforces and the console explains', () => {
  it('bars a 县管干部 anywhere, a township’s own leaders and commission from that township, and an unconfirmed level', () => {
    expect(jurisdictionBars([], 'xingsha')).toEqual([]);
    expect(jurisdictionBars([who('village_cadre'), who('township_cadre', 'none', 'xingsha')], 'xingsha')).toEqual([]);
    expect(jurisdictionBars([who('village_cadre'), who('county_managed', 'none', 'langli')], 'xingsha')).toEqual(['county_managed']);
    expect(jurisdictionBars([who('township_cadre', 'principal_leader', 'xingsha')], 'xingsha')).toEqual(['township_leadership']);
    expect(jurisdictionBars([who('township_cadre', 'principal_leader', 'langli')], 'xingsha')).toEqual([]);
    // No township known: taken to be the receiving one.
    expect(jurisdictionBars([who('township_cadre', 'commission')], 'xingsha')).toEqual(['township_leadership']);
    expect(jurisdictionBars([who('unknown')], 'xingsha')).toEqual(['level_unknown']);
    // Most serious first, each once.
    expect(jurisdictionBars([who('unknown'), who('county_managed', 'principal_leader', 'xingsha'), who('county_managed')], 'xingsha')).toEqual([
      'county_managed',
      'township_leadership',
      'level_unknown',
    ]);
  });

  it('names every level and standing in Chinese, and the audit page reads a level confirmation in Chinese', async () => {
    for (const l of MANAGEMENT_LEVELS) expect(MANAGEMENT_LEVEL_LABELS[l]).toMatch(/[\u4e00-\u9fff]/);
    for (const s of TOWNSHIP_STANDINGS) expect(TOWNSHIP_STANDING_LABELS[s]).toMatch(/[\u4e00-\u9fff]/);
    const { auditDetailsText } = (await import(path.join(REPO, 'county-console/src/audit-strings.ts'))) as {
      auditDetailsText: (d: Record<string, string>) => string;
    };
    expect(
      auditDetailsText({
        positions: '1、2',
        managementLevels: 'village_cadre,county_managed',
        managementLevelsWere: 'unknown,unknown',
        standings: 'no_standing,principal_leader',
        standingsWere: 'no_standing,no_standing',
      }),
    ).toBe(
      '被反映人序号：1、2；管理层级：村干部、县管干部；原管理层级：未确定、未确定；在乡镇的身份：其他人员、乡镇主要领导；原在乡镇的身份：其他人员、其他人员',
    );
  });
});
