import { describe, expect, it } from 'vitest';
import { addMonths, effectOf, sanctionOf, SANCTION_RULES, SANCTIONS } from './sanctions.js';

describe('影响期', () => {
  it('政务处分法 第八条: 警告 6, 记过 12, 记大过 18, 降级 and 撤职 24 months, ending the day before', () => {
    const on = (sanction: (typeof SANCTIONS)[number]) => effectOf({ sanction, kind: '', decidedOn: '2024-01-15', probationMonths: null }, '2024-07-14');
    expect(on('gov_warning')).toEqual({ state: 'in_effect', endsOn: '2024-07-14' });
    expect(effectOf({ sanction: 'gov_warning', kind: '', decidedOn: '2024-01-15', probationMonths: null }, '2024-07-15').state).toBe('ended');
    expect(on('gov_demerit').endsOn).toBe('2025-01-14');
    expect(on('gov_major_demerit').endsOn).toBe('2025-07-14');
    expect(on('gov_demotion').endsOn).toBe('2026-01-14');
    expect(on('gov_dismissal_from_post').endsOn).toBe('2026-01-14');
    expect(on('gov_expulsion')).toEqual({ state: 'permanent', endsOn: null });
  });

  it('条例: 警告 one year, 严重警告 eighteen months, 撤销党内职务 two, 留党察看 its 察看期 plus two years', () => {
    const r = (sanction: (typeof SANCTIONS)[number], probationMonths: number | null = null) =>
      effectOf({ sanction, kind: '', decidedOn: '2020-03-01', probationMonths }, '2020-03-01');
    expect(r('party_warning').endsOn).toBe('2021-02-28');
    expect(r('party_serious_warning').endsOn).toBe('2021-08-31');
    expect(r('party_removal_from_post').endsOn).toBe('2022-02-28');
    expect(r('party_probation', 12).endsOn).toBe('2023-02-28');
    expect(r('party_probation', 24).endsOn).toBe('2024-02-29');
    expect(r('party_probation')).toEqual({ state: 'unknown', endsOn: null });
    expect(r('party_expulsion').state).toBe('permanent');
  });

  it('measures that are not sanctions carry no 影响期; month ends clamp', () => {
    expect(effectOf({ sanction: null, kind: '诫勉谈话', decidedOn: '2024-01-01', probationMonths: null }, '2024-01-02')).toEqual({
      state: 'not_sanction',
      endsOn: null,
    });
    // A bare 警告 (party or government?) is for a person to read, never "no effect".
    expect(effectOf({ sanction: null, kind: '警告', decidedOn: '2024-01-01', probationMonths: null }, '2024-01-02')).toEqual({
      state: 'unknown',
      endsOn: null,
    });
    expect(addMonths('2023-08-31', 6)).toBe('2024-02-29');
    expect(addMonths('2023-01-31', 1)).toBe('2023-02-28');
  });

  it('wordings: labels and aliases map, a bare 警告 and 诫勉谈话 do not; every rule cites its source', () => {
    expect(sanctionOf('党内警告')).toBe('party_warning');
    expect(sanctionOf(' 记大过 ')).toBe('gov_major_demerit');
    expect(sanctionOf('开除公职')).toBe('gov_expulsion');
    expect(sanctionOf('警告')).toBeUndefined();
    expect(sanctionOf('诫勉谈话')).toBeUndefined();
    for (const s of SANCTIONS) expect(SANCTION_RULES[s].rule).toMatch(/^《/);
  });
});
