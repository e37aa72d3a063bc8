import { AppError, type CalendarImportAnswer, type CalendarImportBody, ERROR_MESSAGES } from '@vj/shared';
import type { z } from 'zod';
import { appendAudit } from '../audit/audit-log.js';
import type { Db, Queryable } from '../db/db.js';
import type { Claims } from '../security/jwt.js';
import { readHolidayNotice } from './holiday-notice.js';

type Body = z.output<typeof CalendarImportBody>;

interface Exception {
  day: string;
  working: boolean;
  note: string;
}

async function calendarNear(q: Queryable, year: number): Promise<Map<string, Exception>> {
  const r = await q.query<Exception>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, working, note FROM calendar_exceptions WHERE day BETWEEN $1::date AND $2::date ORDER BY day`,
    [`${year - 1}-12-01`, `${year + 1}-01-31`],
  );
  return new Map(r.rows.map((e) => [e.day, e]));
}

/**
 * What the file would change: the year's exceptions become exactly the file's (a day the file no longer lists goes),
 * and days it sets at the turn of the year (a 元旦 range into January) are set, leaving the neighbours' other days.
 */
function compare(year: number, days: Exception[], now: Map<string, Exception>) {
  const inFile = new Set(days.map((d) => d.day));
  const added = days.filter((d) => !now.has(d.day)).length;
  const changed = days.filter((d) => now.has(d.day) && (now.get(d.day)!.working !== d.working || now.get(d.day)!.note !== d.note)).length;
  const removed = [...now.keys()].filter((d) => d.startsWith(`${year}-`) && !inFile.has(d));
  return { added, changed, removed };
}

/**
 * Reads the year's holiday arrangement and, when asked to apply it, replaces that year's calendar exceptions in one
 * audited transaction. A file with any problem applies nothing. Clocks started before the import keep the due dates
 * they were given (as with any policy change); import the notice when it is published, before clocks run into its year.
 */
export async function importCalendar(db: Db, principal: Claims, body: Body): Promise<CalendarImportAnswer> {
  const reading = readHolidayNotice(body.text, body.year);
  const answer = (now: Map<string, Exception>, applied: boolean): CalendarImportAnswer => ({
    year: body.year,
    days: reading.days,
    problems: reading.problems,
    ...compare(body.year, reading.days, now),
    applied,
  });
  if (!body.apply) return answer(await calendarNear(db, body.year), false);
  if (reading.problems.length) {
    throw new AppError('BAD_REQUEST', ERROR_MESSAGES.cases.calendarNotImported(reading.problems), ['text']);
  }
  return db.tx(async (q) => {
    // The calendar as it stood inside the transaction: the counts audited are the ones applied.
    await q.query('LOCK TABLE calendar_exceptions IN SHARE ROW EXCLUSIVE MODE');
    const now = await calendarNear(q, body.year);
    const result = answer(now, true);
    await q.query(`DELETE FROM calendar_exceptions WHERE day BETWEEN $1::date AND $2::date`, [`${body.year}-01-01`, `${body.year}-12-31`]);
    for (const d of reading.days) {
      await q.query(
        'INSERT INTO calendar_exceptions (day, working, note) VALUES ($1, $2, $3) ON CONFLICT (day) DO UPDATE SET working = excluded.working, note = excluded.note',
        [d.day, d.working, d.note],
      );
    }
    await appendAudit(q, {
      actorId: principal.sub,
      actorRole: principal.role,
      action: 'case.calendar_import',
      objectType: 'work_calendar',
      details: {
        year: body.year,
        holidays: reading.days.filter((d) => !d.working).length,
        workedDays: reading.days.filter((d) => d.working).length,
        added: result.added,
        changed: result.changed,
        removed: result.removed.length,
      },
    });
    return result;
  });
}
