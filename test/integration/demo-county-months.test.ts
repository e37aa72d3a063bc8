import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDay, type ArchiveProfile, type UnitReport } from '@vj/shared';
import { api } from '../helpers/api.js';
import { loginAll, type Logins } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';
import { waitFor } from '../helpers/poll.js';

// Demo mode's synthetic county carries a year of 清廉档案 months for its key officials (issue 17), entered and signed
// as each 片区's 督查组 account would have, sealed like any entry, with the warnings the rules raise (the older ones
// closed with a note), readable through the same profile and report routes.
// The small county (3,000 people) keeps it quick; the full one is the same code with other sizes.

let s: InProcessServer;
let logins: Logins;
const token = (who: string) => logins[who]!.accessToken;

beforeAll(async () => {
  s = await startInProcess({ DEMO_COUNTY: 'small' });
  logins = await loginAll(s.url, ['district1-leader', 'conduct1']);
  await waitFor('the demo county to load', async () => s.logs.some((l) => l.includes('demo county loaded')) || undefined, { timeoutMs: 240_000 });
}, 300_000);
afterAll(async () => {
  await s?.stop();
});

describe('the synthetic county’s year of months', () => {
  it('every key official of a 片区 with a team has the twelve months before this one, sealed, with warnings the rules raised', async () => {
    const q = <T>(sql: string, args: unknown[] = []) => s.server.db.query<T & Record<string, unknown>>(sql, args).then((r) => r.rows);
    const today = localDay();
    const [y, m] = [Number(today.slice(0, 4)), Number(today.slice(5, 7))];
    const last = new Date(Date.UTC(y, m - 2, 1)).toISOString().slice(0, 7);
    const first = new Date(Date.UTC(y, m - 13, 1)).toISOString().slice(0, 7);
    const per = await q<{ code: string; n: number; first: string; last: string }>(
      `SELECT o.code, count(m.month)::int AS n, to_char(min(m.month), 'YYYY-MM') AS first, to_char(max(m.month), 'YYYY-MM') AS last
         FROM officials o JOIN org_units u ON u.code = o.unit_code LEFT JOIN archive_months m ON m.official_code = o.code
        WHERE o.code LIKE 'RY-%' AND o.key_official GROUP BY o.code`,
    );
    expect(per.length).toBeGreaterThan(40);
    for (const p of per) expect([p.n, p.first, p.last], p.code).toEqual([12, first, last]);
    // d1 has a member and a leader: entered by the one, signed by the other; sealed (the words are not on disk).
    const d1 = await q<{ entered: string; signed: string | null; ct: Buffer }>(
      `SELECT eu.username AS entered, su.username AS signed, m.dims_ct AS ct FROM archive_months m JOIN org_units u ON u.code = m.unit_code
         JOIN users eu ON eu.id = m.entered_by LEFT JOIN users su ON su.id = m.signed_by WHERE u.district_code = 'd1' LIMIT 50`,
    );
    expect(d1.length).toBe(50);
    for (const r of d1) {
      expect([r.entered, r.signed]).toEqual(['district1-inspector', 'district1-leader']);
      expect(r.ct.includes(Buffer.from('住房', 'utf8'))).toBe(false);
    }
    const warnings = await q<{ state: string; n: number }>(
      `SELECT state, count(*)::int AS n FROM archive_warnings WHERE official_code LIKE 'RY-%' GROUP BY state ORDER BY state`,
    );
    expect(warnings.map((w) => w.state)).toEqual(['closed', 'open']);

    // Read back through the routes: a d1 key official's profile opens every month and closed warning's note.
    const person = await q<{ code: string }>(
      `SELECT w.official_code AS code FROM archive_warnings w JOIN officials o ON o.code = w.official_code JOIN org_units u ON u.code = o.unit_code
        WHERE u.district_code = 'd1' AND w.state = 'closed' LIMIT 1`,
    );
    const p = await api<ArchiveProfile>(s.url, 'GET', `/api/archive/people/${person[0]!.code}`, { token: token('district1-leader') });
    expect(p.status).toBe(200);
    expect(p.body.months).toHaveLength(12);
    expect(p.body.warnings.find((w) => w.state === 'closed')!.note).toMatch(/^已/);
    const unit = await q<{ unit: string }>(`SELECT unit_code AS unit FROM officials WHERE code = $1`, [person[0]!.code]);
    const r = await api<UnitReport>(s.url, 'GET', `/api/archive/units/${unit[0]!.unit}/report`, { token: token('conduct1') });
    expect(r.status).toBe(200);
    expect(r.body.months.slice(0, 11).every((x) => x.entered > 0)).toBe(true);
    expect(r.body.months[11]!.entered).toBe(0);
  });
});
