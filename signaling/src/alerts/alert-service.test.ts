import { describe, expect, it } from 'vitest';
import type { AlertView } from '@vj/shared';
import { AlertService } from './alert-service.js';
import { OfficeHours } from './office-hours.js';

describe('alert sync', () => {
  it('raises new alerts of a kind, clears gone ones, keeps acknowledgements, and publishes only on change', () => {
    const published: AlertView[][] = [];
    const a = new AlertService(new OfficeHours('00:00-24:00', '0-6'), (l) => published.push(l));
    a.raise('kiosk_offline', 'xingsha', 'kiosk_offline:xingsha');
    a.sync('case_overdue', [
      { key: 'case_overdue:1', roomCode: 'xingsha', caseCode: '2611000001' },
      { key: 'case_overdue:2', roomCode: 'langli', caseCode: '2611000002' },
    ]);
    expect(a.acknowledge('case_overdue:1', '赵主任')).toBe(true);
    const n = published.length;
    a.sync('case_overdue', [
      { key: 'case_overdue:1', roomCode: 'xingsha', caseCode: '2611000001' },
      { key: 'case_overdue:2', roomCode: 'langli', caseCode: '2611000002' },
    ]);
    expect(published.length).toBe(n);
    a.sync('case_overdue', [{ key: 'case_overdue:1', roomCode: 'xingsha', caseCode: '2611000001' }]);
    expect(a.list().map((x) => [x.id, x.acknowledgedBy, x.caseCode ?? null])).toEqual([
      ['kiosk_offline:xingsha', null, null],
      ['case_overdue:1', '赵主任', '2611000001'],
    ]);
  });
});
