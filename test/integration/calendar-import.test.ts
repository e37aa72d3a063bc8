import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CalendarImportAnswer, CasePolicyView } from '@vj/shared';
import { api } from '../helpers/api.js';
import { loginAll, petitionBody, type Logins } from '../helpers/fixtures.js';
import { dbFingerprint, startInProcess, type InProcessServer } from '../helpers/inprocess.js';

let s: InProcessServer;
let logins: Logins;
const token = (who: string) => logins[who]!.accessToken;
type ErrorBody = { error: { code: string; message: string } };

beforeAll(async () => {
  s = await startInProcess();
  logins = await loginAll(s.url, ['officer1', 'supervisor', 'admin', 'xingsha-handler', 'auditor']);
});
afterAll(async () => s?.stop());

/** Local (UTC+8) day numbers and dates, as the deadline clock counts them. */
const DAY = 86_400_000;
const localDay = (t: Date) => Math.floor((t.getTime() + 8 * 3600_000) / DAY);
const isoOfDay = (d: number) => new Date(d * DAY).toISOString().slice(0, 10);

const calendar = async (year: number) =>
  (
    await s.server.db.query<{ day: string; working: boolean; note: string }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, working, note FROM calendar_exceptions WHERE day BETWEEN $1 AND $2 ORDER BY day`,
      [`${year}-01-01`, `${year}-12-31`],
    )
  ).rows;

const importCalendar = (who: string, body: Record<string, unknown>) =>
  api<CalendarImportAnswer & ErrorBody>(s.url, 'POST', '/api/case-policy/calendar-import', { token: token(who), body });

describe('importing the annual holiday arrangement', () => {
  it('previews without changing anything, then an administrator applies it: the year is replaced, audited, and the next petition counts working days on it', async () => {
    const today = localDay(new Date());
    const year = Number(isoOfDay(today).slice(0, 4));
    // A day the year had that the file no longer lists must go; a day of another year must stay.
    await s.server.db.query(
      `INSERT INTO calendar_exceptions (day, working, note) VALUES ($1, false, '旧安排'), ($2, false, '上一年') ON CONFLICT (day) DO NOTHING`,
      [`${year}-03-03`, `${year - 1}-03-03`],
    );
    // The next seven days become holidays: a 5-working-day clock started today cannot end before the twelfth day.
    const days = Array.from({ length: 7 }, (_, i) => isoOfDay(today + 1 + i));
    const text = days.map((d) => `${d} 休 测试假期`).join('\n');

    const before = await dbFingerprint(s);
    const preview = await importCalendar('supervisor', { year, text });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ year, problems: [], applied: false, removed: expect.arrayContaining([`${year}-03-03`]) });
    expect(preview.body.days.map((d) => d.day)).toEqual(days);
    expect(await dbFingerprint(s)).toBe(before);

    const applied = await importCalendar('admin', { year, text, apply: true });
    expect(applied.status).toBe(200);
    expect(applied.body.applied).toBe(true);
    const inYear = days.filter((d) => d.startsWith(`${year}-`));
    expect((await calendar(year)).map((d) => d.day)).toEqual(inYear);
    expect((await calendar(year - 1)).map((d) => d.day)).toContain(`${year - 1}-03-03`);
    const audit = await s.server.db.query<{ actor_role: string; details: Record<string, unknown> }>(
      `SELECT actor_role, details FROM audit_log WHERE action = 'case.calendar_import' ORDER BY seq DESC LIMIT 1`,
    );
    expect(audit.rows[0]).toMatchObject({ actor_role: 'sys_admin', details: { year, holidays: 7, workedDays: 0 } });
    const page = await api<CasePolicyView>(s.url, 'GET', '/api/case-policy', { token: token('supervisor') });
    expect(page.body.exceptions.filter((e) => e.note === '测试假期').map((e) => e.day)).toEqual(days);

    const b = petitionBody('xingsha', null, { matterClass: 'accusation' });
    expect((await api(s.url, 'POST', '/api/petitions', { token: token('officer1'), body: b })).status).toBe(200);
    const due = (await s.server.db.query<{ accept_due_at: Date }>('SELECT accept_due_at FROM petitions WHERE id = $1', [b.id])).rows[0]!.accept_due_at;
    expect(localDay(due) - today).toBeGreaterThanOrEqual(12);
  });

  it('refuses other roles, an unreadable file and a notice under the wrong year, in Chinese, changing nothing', async () => {
    const notice = '一、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。';
    const calendarBefore = await calendar(2026);
    // A refused role changes nothing but the audit log, which records the refusal itself.
    for (const who of ['officer1', 'xingsha-handler', 'auditor'])
      expect((await importCalendar(who, { year: 2026, text: notice, apply: true })).status).toBe(403);
    expect(await calendar(2026)).toEqual(calendarBefore);
    const before = await dbFingerprint(s);
    const wrongYear = await importCalendar('supervisor', { year: 2027, text: notice, apply: true });
    expect(wrongYear.status).toBe(400);
    expect(wrongYear.body.error.message).toMatch(/^节假日安排没有导入：第 1 行：10月1日写的是周四，与 2027 年的日历不符/);
    const unreadable = await importCalendar('supervisor', { year: 2026, text: '2026-13-01 休', apply: true });
    expect(unreadable.status).toBe(400);
    const empty = await importCalendar('supervisor', { year: 2026, text: '  ', apply: true });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toContain('请粘贴或选择节假日安排的文件');
    expect((await importCalendar('supervisor', { year: 1999, text: notice })).status).toBe(400);
    expect(await dbFingerprint(s)).toBe(before);
    // The same notice under its own year is read whole.
    const right = await importCalendar('supervisor', { year: 2026, text: notice });
    expect(right.body).toMatchObject({ problems: [], applied: false });
    expect(right.body.days).toHaveLength(9);
  });
});
