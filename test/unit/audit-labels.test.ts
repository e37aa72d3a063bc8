import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS } from '@vj/shared';
import { AUDIT_ACTIONS as SERVER_ACTIONS } from '../../signaling/src/audit/audit-log.js';
import { REPO } from '../helpers/server.js';

interface AuditStrings {
  TA: { actions: Record<string, string>; objects: Record<string, string> };
  auditDetailsText: (d: Record<string, string | number | boolean | null>) => string;
  auditActionLabel: (a: string) => string;
}

// The console's module is bundled by Vite (extension-less imports); vitest loads it the same way at run time.
const load = async () => (await import(path.join(REPO, 'county-console/src/audit-strings.ts'))) as AuditStrings;

const HAN = /[\u4e00-\u9fff]/;
const LATIN_WORD = /[A-Za-z]{2,}/;

describe('the audit log reads in Chinese (issue 14.4)', () => {
  it('labels every action the server can record, in Chinese', async () => {
    const { TA, auditActionLabel } = await load();
    // The server appends exactly the shared list, so labelling the shared list labels every row.
    expect([...SERVER_ACTIONS]).toEqual([...AUDIT_ACTIONS]);
    for (const action of AUDIT_ACTIONS) {
      const label = TA.actions[action];
      expect(label, action).toBeTruthy();
      expect(label, action).toMatch(HAN);
      expect(label, action).not.toMatch(LATIN_WORD);
      expect(auditActionLabel(action)).toBe(label);
    }
    expect(Object.keys(TA.actions).sort()).toEqual([...AUDIT_ACTIONS].sort());
  });

  it('shows details as Chinese key and value, without ids, hashes or codes', async () => {
    const { auditDetailsText } = await load();
    const stepId = '6f1c9d3e-1111-4222-8333-944445555666';
    expect(auditDetailsText({ to: 'referred', from: 'received', stepId })).toBe('新状态：已交办；原状态：已收到');
    expect(auditDetailsText({ knownUser: true, backoffS: 30 })).toBe('账号存在：是；限制登录（秒）：30');
    expect(auditDetailsText({ mode: 'take_over' })).toBe('方式：接管');
    expect(auditDetailsText({ conflicts: 'accused_in_township,handler_accused', coiOverride: true })).toBe(
      '回避情形：被反映人在该镇街、承办人被反映；回避例外：是',
    );
    expect(auditDetailsText({ accept: '15w', conclude: '90c', exceptions: null })).toBe('受理时限：15 个工作日；办结时限：90 个自然日；节假日调整：—');
    expect(auditDetailsText({ reason: '核实信访人联系方式' })).toBe('理由：核实信访人联系方式');
    // An English code nobody has named yet is left out rather than shown.
    expect(auditDetailsText({ origin: 'some_new_origin', petitionId: stepId, sizeBytes: 2048 })).toBe('大小：2 KB');
    for (const text of [
      auditDetailsText({ to: 'closed', from: 'reported', stepId }),
      auditDetailsText({ via: 'admin', link: 'official', officialCode: 'XS0001', change: 'matched_by_name' }),
    ]) {
      expect(text.replace(/XS0001/, '')).not.toMatch(LATIN_WORD);
    }
  });
});
