import { describe, expect, it } from 'vitest';
import { chainHash } from '../security/crypto.js';
import { IntegrityKeys } from '../security/system-keys.js';
import type { CheckedAuditRow } from './about-sealed.js';
import { auditFields, canonicalRow, linkAfter, type AuditEntry } from './audit-log.js';
import { exportLines, verifyExport } from './export.js';

// Issue 16: rows about a sealed matter leave the server redacted, and the export verifier holds the rest of the file
// against the chain. The forgeries below are signed with the right key (exportLines signs what it is given), so
// only the chain check can catch them: a signature alone would pass every one.

const keys = IntegrityKeys.ephemeral();
const MATTER = '6f1c0a53-2d4e-4d7b-9b0e-8a1f2c3d4e5f';

function chain(entries: (AuditEntry & { sealed?: boolean })[]): CheckedAuditRow[] {
  let head: { seq: string; hash: Buffer } = { seq: '41', hash: Buffer.alloc(32, 7) };
  return entries.map((e) => {
    const prev = head.hash;
    const { row, hash } = linkAfter(keys, head, auditFields(e));
    head = { seq: row.seq, hash };
    return { ...row, prev_hash: prev, hash, suite: keys.suite, about_sealed: e.sealed ?? false };
  });
}

const rows = () =>
  chain([
    { actorId: null, actorRole: 'county_officer', action: 'auth.login', details: { kind: 'password' } },
    {
      actorId: null,
      actorRole: 'county_officer',
      action: 'petition.create',
      objectType: 'petition',
      objectId: MATTER,
      townshipCode: 'xingsha',
      details: { category: '工作作风', matterClass: 'accusation' },
      sealed: true,
    },
    {
      actorId: null,
      actorRole: 'county_officer',
      action: 'identity.reveal',
      objectType: 'petition',
      objectId: MATTER,
      townshipCode: 'xingsha',
      details: { reason: '核实举报人身份' },
      sealed: true,
    },
    { actorId: null, actorRole: 'county_supervisor', action: 'case.refer', objectType: 'petition', objectId: 'other', townshipCode: 'jinjing', details: {} },
  ]);

const lines = (text: string) => text.trim().split('\n');

describe('audit export of rows about a sealed matter', () => {
  it('redacts them to seq, time, action, object type and link, and the verifier counts them and checks the rest', () => {
    const text = exportLines(keys, rows(), '2026-12-04', '2026-12-04');
    const [, create, reveal] = lines(text).map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const r of [create!, reveal!]) expect(Object.keys(r).sort()).toEqual(['action', 'at', 'hash', 'objectType', 'prevHash', 'redacted', 'seq', 'suite']);
    for (const leak of [MATTER, 'xingsha', '工作作风', 'accusation', '核实举报人身份'])
      expect({ leak, found: text.includes(leak) }).toEqual({ leak, found: false });
    // The other matter's row is whole.
    expect(text).toContain('jinjing');
    expect(verifyExport(keys, text)).toEqual({ ok: true, rows: 4, redacted: 2, from: '2026-12-04', to: '2026-12-04' });
  });

  it('a redacted row with another hash breaks the chain, though the file is signed', () => {
    const forged = rows();
    forged[2]!.hash = Buffer.alloc(32, 1);
    expect(verifyExport(keys, exportLines(keys, forged, '2026-12-04', '2026-12-04'))).toEqual({ ok: false, problem: 'row 45 does not link to row 44' });
    // The whole row after it re-pointed at the forged hash too: its own link, computed again, no longer matches.
    forged[3]!.prev_hash = forged[2]!.hash;
    expect(verifyExport(keys, exportLines(keys, forged, '2026-12-04', '2026-12-04'))).toEqual({ ok: false, problem: 'row 45 does not match its chain link' });
  });

  it('a run of redacted rows is pinned at both ends: re-linked among themselves, it breaks at the first whole row after it', () => {
    const forged = rows();
    forged[1]!.hash = Buffer.alloc(32, 1);
    forged[2]!.prev_hash = forged[1]!.hash;
    forged[2]!.hash = Buffer.alloc(32, 2);
    forged[3]!.prev_hash = forged[2]!.hash;
    expect(verifyExport(keys, exportLines(keys, forged, '2026-12-04', '2026-12-04'))).toEqual({ ok: false, problem: 'row 45 does not match its chain link' });
    // A first row that does not continue the whole row before it.
    const first = rows();
    first[1]!.prev_hash = Buffer.alloc(32, 3);
    expect(verifyExport(keys, exportLines(keys, first, '2026-12-04', '2026-12-04'))).toEqual({ ok: false, problem: 'row 43 does not link to row 42' });
  });

  it('a whole row changed or a row dropped fails, though signed; an unsigned edit fails on the signature', () => {
    const changed = rows();
    changed[3]!.township_code = 'xingsha';
    expect(verifyExport(keys, exportLines(keys, changed, '2026-12-04', '2026-12-04'))).toEqual({ ok: false, problem: 'row 45 does not match its chain link' });
    const dropped = rows();
    dropped.splice(2, 1);
    expect(verifyExport(keys, exportLines(keys, dropped, '2026-12-04', '2026-12-04'))).toEqual({ ok: false, problem: 'row 45 does not follow row 43' });
    const text = exportLines(keys, rows(), '2026-12-04', '2026-12-04');
    expect(verifyExport(keys, text.replace('"auth.login"', '"auth.logout"'))).toEqual({
      ok: false,
      problem: 'the signature does not match the rows and range',
    });
  });

  it('a row from before the chain was keyed is checked with the plain hash; a row naming no known suite is refused', () => {
    const legacy = rows();
    legacy[0]!.suite = 'legacy';
    legacy[0]!.hash = chainHash(legacy[0]!.prev_hash, canonicalRow(legacy[0]!));
    legacy[1]!.prev_hash = legacy[0]!.hash;
    expect(verifyExport(keys, exportLines(keys, legacy, '2026-12-04', '2026-12-04'))).toMatchObject({ ok: true, redacted: 2 });
    legacy[0]!.actor_role = 'audit_admin';
    expect(verifyExport(keys, exportLines(keys, legacy, '2026-12-04', '2026-12-04'))).toEqual({ ok: false, problem: 'row 42 does not match its chain link' });
    const odd = rows();
    odd[3]!.suite = 'md5';
    expect(verifyExport(keys, exportLines(keys, odd, '2026-12-04', '2026-12-04'))).toEqual({ ok: false, problem: 'row 45 names no known suite' });
  });
});
