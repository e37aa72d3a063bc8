import {
  AppError,
  ArchiveDims,
  ArchiveMonthInput,
  ERROR_MESSAGES,
  isDistrictRole,
  localDay,
  WARNING_RULES,
  WarningCloseInput,
  type ArchiveMonthView,
  type ArchiveProfile,
  type Assessment,
  type AuditAction,
  type WarningAction,
  type WarningListAnswer,
  type WarningRule,
  type WarningView,
} from '@vj/shared';
import { z } from 'zod';
import { appendAudit, type AuditDetails } from '../audit/audit-log.js';
import { Recused } from '../cases/conflicts.js';
import type { Db, Tx } from '../db/db.js';
import { DecryptError, newId } from '../security/crypto.js';
import type { Claims } from '../security/jwt.js';
import { IntegrityError, type IntegrityKeyring } from '../security/system-keys.js';
import { monthOf, monthsBetween, monthStart, nextMonth, personalOf, portraitOf, warningsFor } from './archive-rules.js';
import { NAMING } from '../registry/cross-reference.js';
import { districtOf } from './district-scope.js';
import { recordOf, recordRowsOf } from './people-search.js';
import { openMonth, openText, personalDataKeys, sealMonth, sealText } from './person-data.js';

type MonthInput = z.output<typeof ArchiveMonthInput>;
type CloseInput = z.output<typeof WarningCloseInput>;

/** How far back a month may still be entered or corrected: the last twelve, this one included. */
const EDITABLE_MONTHS = 12;

/** A month as sealed: the truth the plain columns are copies of. */
const Sealed = z.object({
  dims: ArchiveDims,
  assessment: z.enum(['good', 'fair', 'poor']),
  findingsOpen: z.number().int(),
  findingsOverdue: z.number().int(),
  enteredBy: z.string(),
  signedBy: z.string().nullable(),
});
type Sealed = z.infer<typeof Sealed>;

/** A warning's note opens only on its own warning: person, rule and month bound in with its id. */
const notePlace = (w: { id: string; official_code: string; rule: string; month: string }) => ({
  table: 'archive_warnings',
  column: 'note_ct',
  rowId: `${w.id}|${w.official_code}|${w.rule}|${w.month}`,
});

/** A warning's note sealed where it stands (the synthetic county's closed warnings carry one too). */
export const sealWarningNote = (keys: IntegrityKeyring, w: { id: string; official_code: string; rule: string; month: string }, note: string) =>
  sealText(keys, notePlace(w), note);

type PersonRow = {
  code: string;
  name: string;
  unit_code: string | null;
  unit_name: string | null;
  district_code: string | null;
  rank: string;
  key_official: boolean;
};
type MonthRow = {
  month: string;
  dims_ct: Buffer;
  assessment: Assessment;
  findings_open: number;
  findings_overdue: number;
  entered_by: string;
  entered_by_id: string;
  entered_at: Date;
  signed_by: string | null;
  signed_by_id: string | null;
  signed_at: Date | null;
};
type WarningRow = {
  id: string;
  official_code: string;
  name: string;
  unit_name: string | null;
  rule: WarningRule;
  month: string;
  raised_at: Date;
  state: WarningView['state'];
  action: WarningAction | null;
  note_ct: Buffer | null;
  closed_by: string | null;
  closed_at: Date | null;
};

const MONTH_SELECT = `SELECT to_char(m.month, 'YYYY-MM') AS month, m.dims_ct, m.assessment, m.findings_open, m.findings_overdue,
    eu.display_name AS entered_by, m.entered_by AS entered_by_id, m.entered_at, su.display_name AS signed_by, m.signed_by AS signed_by_id, m.signed_at
  FROM archive_months m JOIN users eu ON eu.id = m.entered_by LEFT JOIN users su ON su.id = m.signed_by`;
const WARNING_SELECT = `SELECT w.id, w.official_code, o.name, u.name AS unit_name, w.rule, to_char(w.month, 'YYYY-MM') AS month, w.raised_at, w.state,
    w.action, w.note_ct, cu.display_name AS closed_by, w.closed_at
  FROM archive_warnings w JOIN officials o ON o.code = w.official_code LEFT JOIN org_units u ON u.code = o.unit_code
  LEFT JOIN users cu ON cu.id = w.closed_by`;

/** A month as sealed, checked against its plain copies: a row changed behind the application's back fails. */
function openedMonth(keys: IntegrityKeyring, code: string, m: MonthRow): Sealed {
  const fail = () => new IntegrityError('archive_month', `${code}|${m.month}`);
  let s: Sealed;
  try {
    s = Sealed.parse(openMonth(keys, code, m.month, m.dims_ct));
  } catch (err) {
    // A row that does not open where it stands was moved or altered behind the application's back.
    if (err instanceof DecryptError || err instanceof z.ZodError) throw fail();
    throw err;
  }
  const same =
    s.assessment === m.assessment &&
    s.findingsOpen === m.findings_open &&
    s.findingsOverdue === m.findings_overdue &&
    s.enteredBy === m.entered_by_id &&
    s.signedBy === m.signed_by_id;
  if (!same) throw fail();
  return s;
}

/**
 * The months entered for people while in this unit, from `fromDay` on (newest first), as sealed and checked: the
 * unit's findings are the latest of them, and its 政治生态报告 reads them all.
 */
export async function unitMonths(q: Tx, keys: IntegrityKeyring, unitCode: string, fromDay: string, limit?: number) {
  const r = await q.query<MonthRow & { official_code: string }>(
    `${MONTH_SELECT.replace('SELECT ', 'SELECT m.official_code, ')} WHERE m.unit_code = $1 AND m.month >= $2 ORDER BY m.month DESC, m.entered_at DESC${limit ? ` LIMIT ${limit}` : ''}`,
    [unitCode, fromDay],
  );
  return r.rows.map((m) => ({ month: m.month, ...openedMonth(keys, m.official_code, m) }));
}

/** The latest month entered for a person, as sealed and checked (the 廉政意见 drafts read its assessment). */
export async function latestMonth(q: Tx, keys: IntegrityKeyring, code: string): Promise<Sealed | undefined> {
  const r = await q.query<MonthRow>(`${MONTH_SELECT} WHERE m.official_code = $1 ORDER BY m.month DESC LIMIT 1`, [code]);
  return r.rows[0] && openedMonth(keys, code, r.rows[0]);
}

/**
 * 清廉档案 (issue 17): a person's profile (portrait, months, warnings), the monthly entry of a key official's six
 * dimensions by the 督查组 of their 片区, the leader's sign-off (never of their own entry), and the warnings the
 * entries raise, closed by a 提醒 or an 教育. A 督查组 sees only its own 片区 (another 片区's person is answered as no
 * person at all); nobody reads or handles their own profile (回避). Every profile opened, every list of warnings and
 * every change is audited in its own transaction, with months, ids and counts only: the words, the assessment and
 * what raised a warning are sealed (person-data.ts) and stay out of audit rows.
 */
export class IntegrityArchive {
  constructor(
    private readonly db: Db,
    /** Injected by tests that move the clock; months are the county's calendar months. */
    private readonly now: () => Date = () => new Date(),
  ) {}

  private today(): string {
    return localDay(this.now());
  }

  async profile(principal: Claims, code: string): Promise<ArchiveProfile> {
    const today = this.today();
    return this.db.tx(async (q) => {
      const district = await districtOf(q, principal);
      const person = await this.person(q, principal, code, district);
      const view = await this.view(q, principal, person, today);
      await this.audit(q, principal, 'archive.profile_view', code, { months: view.months.length, warnings: view.warnings.length });
      return view;
    });
  }

  async enterMonth(principal: Claims, code: string, month: string, input: MonthInput): Promise<ArchiveProfile> {
    const today = this.today();
    const keys = personalDataKeys(this.db);
    return this.db.tx(async (q) => {
      const district = await districtOf(q, principal);
      const written = await this.writeMonth(q, keys, principal, district, code, month, input);
      const view = await this.view(q, principal, written.person, today);
      // Audit rows last: the chain's lock is held from the first append to the commit.
      await this.auditMonth(q, principal, written);
      return view;
    });
  }

  /**
   * One month written inside `q`, with the warnings it raises or withdraws: the screen's entry and each row of a
   * monthly import. Refuses (AppError, before writing anything) a person out of the reader's 片区, one's own
   * profile, someone not a key official, a signed month, a month to come or older than twelve months.
   */
  async writeMonth(q: Tx, keys: IntegrityKeyring, principal: Claims, district: string | undefined, code: string, month: string, input: MonthInput) {
    const current = monthOf(this.today());
    if (month > current) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.archive.futureMonth, ['month']);
    if (monthsBetween(month, current) >= EDITABLE_MONTHS) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.archive.tooOld, ['month']);
    // Locked: two entries for one person at once would each read the other's month as not there yet.
    const person = await this.person(q, principal, code, district, true);
    if (!person.key_official) throw new AppError('CONFLICT', ERROR_MESSAGES.archive.notKeyOfficial);
    const day = `${month}-01`;
    const existing = await this.monthRow(q, keys, code, day);
    if (existing?.signedBy) throw new AppError('CONFLICT', ERROR_MESSAGES.archive.signed);
    const content: Sealed = { ...input, enteredBy: principal.sub, signedBy: null };
    const at = this.now();
    await q.query(
      `INSERT INTO archive_months (official_code, month, unit_code, dims_ct, assessment, findings_open, findings_overdue, entered_by, entered_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (official_code, month) DO UPDATE SET unit_code = excluded.unit_code, dims_ct = excluded.dims_ct, assessment = excluded.assessment,
         findings_open = excluded.findings_open, findings_overdue = excluded.findings_overdue, entered_by = excluded.entered_by, entered_at = excluded.entered_at`,
      [code, day, person.unit_code, sealMonth(keys, code, month, content), input.assessment, input.findingsOpen, input.findingsOverdue, principal.sub, at],
    );
    // This month against the one before it, and the next later month against this one: a back-filled or corrected
    // month changes what the next one is compared with.
    const later = await q.query<{ month: string }>(
      `SELECT to_char(month, 'YYYY-MM-DD') AS month FROM archive_months WHERE official_code = $1 AND month > $2 ORDER BY month LIMIT 1`,
      [code, day],
    );
    const changes = await this.evaluate(q, keys, principal, person, day, at);
    if (later.rows[0]) {
      const next = await this.evaluate(q, keys, principal, person, later.rows[0].month, at);
      changes.raised.push(...next.raised);
      changes.withdrawn.push(...next.withdrawn);
    }
    return { person, code, month, replaced: existing !== undefined, ...changes };
  }

  /** The audit rows of a month written: warnings raised and withdrawn, then the entry (months and counts only). */
  async auditMonth(q: Tx, principal: Claims, w: Awaited<ReturnType<IntegrityArchive['writeMonth']>>): Promise<void> {
    for (const x of w.raised) await this.audit(q, principal, 'archive.warning_raised', x.id, { official: w.code, month: x.month });
    for (const x of w.withdrawn) await this.audit(q, principal, 'archive.warning_withdrawn', x.id, { official: w.code, month: x.month });
    await this.audit(q, principal, 'archive.month_entered', w.code, {
      month: w.month,
      replaced: w.replaced,
      warningsRaised: w.raised.length,
      warningsWithdrawn: w.withdrawn.length,
    });
  }

  /** The 督查组 leader's sign-off of a month another member entered: from then on it is fixed. Signing again is a no-op. */
  async signMonth(principal: Claims, code: string, month: string): Promise<ArchiveProfile> {
    const today = this.today();
    const keys = personalDataKeys(this.db);
    return this.db.tx(async (q) => {
      const district = await districtOf(q, principal);
      const person = await this.person(q, principal, code, district, true);
      const day = `${month}-01`;
      const row = await this.monthRow(q, keys, code, day);
      if (!row) throw new AppError('CONFLICT', ERROR_MESSAGES.archive.monthMissing);
      if (row.signedBy) {
        if (row.signedBy !== principal.sub) throw new AppError('CONFLICT', ERROR_MESSAGES.archive.alreadySigned);
        // The same leader again (a retry after a lost answer): the profile as it stands, its reading audited.
        const again = await this.view(q, principal, person, today);
        await this.audit(q, principal, 'archive.profile_view', code, { months: again.months.length, warnings: again.warnings.length });
        return again;
      }
      if (row.enteredBy === principal.sub) throw new AppError('CONFLICT', ERROR_MESSAGES.archive.signOwnEntry);
      const at = this.now();
      await q.query('UPDATE archive_months SET dims_ct = $3, signed_by = $4, signed_at = $5 WHERE official_code = $1 AND month = $2', [
        code,
        day,
        sealMonth(keys, code, month, { ...row, signedBy: principal.sub }),
        principal.sub,
        at,
      ]);
      const view = await this.view(q, principal, person, today);
      await this.audit(q, principal, 'archive.month_signed', code, { month });
      return view;
    });
  }

  /** The warnings of the reader's 片区 (or the county's), open first; names only, never notes. Audited: it names people. */
  async warnings(principal: Claims, state: 'open' | 'closed' | 'all'): Promise<WarningListAnswer> {
    return this.db.tx(async (q) => {
      const district = await districtOf(q, principal);
      const r = await q.query<WarningRow>(
        `${WARNING_SELECT} WHERE ($1::text IS NULL OR u.district_code = $1::text) AND ($2::text = 'all' OR w.state = $2::text)
            AND o.code IS DISTINCT FROM (SELECT official_code FROM users WHERE id = $3)
          ORDER BY w.state <> 'open', w.raised_at DESC, w.id LIMIT 501`,
        [district ?? null, state, principal.sub],
      );
      const items = r.rows.slice(0, 500).map((w) => this.warningOf(w, false));
      await this.audit(q, principal, 'archive.warnings_view', newId(), { state, results: items.length, district: district ?? null });
      return { items, truncated: r.rows.length > 500 };
    });
  }

  async closeWarning(principal: Claims, id: string, input: CloseInput): Promise<WarningView> {
    const keys = personalDataKeys(this.db);
    return this.db.tx(async (q) => {
      const district = await districtOf(q, principal);
      const found = await q.query<{ state: string; district_code: string | null; official_code: string; rule: string; month: string; own: boolean }>(
        `SELECT w.state, u.district_code, w.official_code, w.rule, to_char(w.month, 'YYYY-MM') AS month,
                w.official_code IS NOT DISTINCT FROM (SELECT official_code FROM users WHERE id = $2) AS own
           FROM archive_warnings w JOIN officials o ON o.code = w.official_code
           LEFT JOIN org_units u ON u.code = o.unit_code WHERE w.id = $1 FOR UPDATE OF w`,
        [id, principal.sub],
      );
      const w = found.rows[0];
      if (!w || (district && w.district_code !== district)) throw new AppError('NOT_FOUND', ERROR_MESSAGES.archive.warningNotFound);
      if (w.own) throw new Recused(ERROR_MESSAGES.archive.ownProfile);
      if (w.state !== 'open') throw new AppError('CONFLICT', ERROR_MESSAGES.archive.warningClosed);
      await q.query(`UPDATE archive_warnings SET state = 'closed', action = $2, note_ct = $3, closed_by = $4, closed_at = $5 WHERE id = $1`, [
        id,
        input.action,
        sealWarningNote(keys, { id, ...w }, input.note),
        principal.sub,
        this.now(),
      ]);
      const r = await q.query<WarningRow>(`${WARNING_SELECT} WHERE w.id = $1`, [id]);
      await this.audit(q, principal, 'archive.warning_closed', id, { official: w.official_code, action: input.action });
      return this.warningOf(r.rows[0]!, true);
    });
  }

  /**
   * The warnings of one month, by the rules: raised where they hold (or raised again after a withdrawal), withdrawn
   * where a correction took away what raised them and nobody has handled them yet.
   */
  private async evaluate(q: Tx, keys: IntegrityKeyring, principal: Claims, person: PersonRow, day: string, at: Date) {
    const code = person.code;
    const month = day.slice(0, 7);
    const self = (await this.monthRow(q, keys, code, day))!;
    const prev = await q.query<{ month: string }>(
      `SELECT to_char(month, 'YYYY-MM-DD') AS month FROM archive_months WHERE official_code = $1 AND month < $2 ORDER BY month DESC LIMIT 1`,
      [code, day],
    );
    const before = prev.rows[0] ? await this.monthRow(q, keys, code, prev.rows[0].month) : undefined;
    // Records decided after the previous entry's month, so one record raises its warning once, whatever months are skipped.
    const records = await q.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM discipline_records WHERE official_code = $1
          AND decided_on >= coalesce($2::date + interval '1 month', $3::date) AND decided_on < $3::date + interval '1 month'`,
      [code, prev.rows[0]?.month ?? null, day],
    );
    // Accusations naming the person received in the same span (NAMING: linked or by name and unit; never sealed). The
    // person's name and unit as parameters, so the lookup starts from the accused rows' indexes, not every petition.
    const accusations = await q.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM petitions p
        WHERE p.matter_class = 'accusation' AND p.created_at >= $2 AND p.created_at < $3 AND ${NAMING('$1::text', '$4::text', '$5::text')}`,
      [code, monthStart(prev.rows[0] ? nextMonth(prev.rows[0].month.slice(0, 7)) : month), monthStart(nextMonth(month)), person.name, person.unit_name],
    );
    const holds = new Set(
      warningsFor({
        previousPersonal: before ? personalOf(before.dims) : null,
        personal: personalOf(self.dims),
        assessment: self.assessment,
        findingsOverdue: self.findingsOverdue,
        newRecords: records.rows[0]!.n,
        newAccusations: accusations.rows[0]!.n,
      }),
    );
    const raised: { id: string; month: string }[] = [];
    const withdrawn: { id: string; month: string }[] = [];
    for (const rule of WARNING_RULES) {
      if (holds.has(rule)) {
        // Once per person, rule and month: saving the month again raises nothing new; a withdrawn one opens again.
        const r = await q.query<{ id: string }>(
          `INSERT INTO archive_warnings (id, official_code, rule, month, raised_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (official_code, rule, month) DO UPDATE SET state = 'open', raised_at = excluded.raised_at, closed_by = NULL, closed_at = NULL
             WHERE archive_warnings.state = 'withdrawn' RETURNING id`,
          [newId(), code, rule, day, at],
        );
        if (r.rows[0]) raised.push({ id: r.rows[0].id, month });
      } else {
        const r = await q.query<{ id: string }>(
          `UPDATE archive_warnings SET state = 'withdrawn', closed_by = $4, closed_at = $5 WHERE official_code = $1 AND rule = $2 AND month = $3 AND state = 'open' RETURNING id`,
          [code, rule, day, principal.sub, at],
        );
        if (r.rows[0]) withdrawn.push({ id: r.rows[0].id, month });
      }
    }
    return { raised, withdrawn };
  }

  /** The person, if this reader may see them: another 片区's person is no person at all; one's own profile is refused. */
  private async person(q: Tx, principal: Claims, code: string, district: string | undefined, lock = false): Promise<PersonRow> {
    const r = await q.query<PersonRow & { own: boolean }>(
      `SELECT o.code, o.name, o.unit_code, u.name AS unit_name, u.district_code, o.rank, o.key_official,
              o.code IS NOT DISTINCT FROM (SELECT official_code FROM users WHERE id = $2) AS own
         FROM officials o LEFT JOIN org_units u ON u.code = o.unit_code WHERE o.code = $1${lock ? ' FOR UPDATE OF o' : ''}`,
      [code, principal.sub],
    );
    const row = r.rows[0];
    if (!row || (district && row.district_code !== district)) throw new AppError('NOT_FOUND', ERROR_MESSAGES.discipline.personNotFound);
    if (row.own) throw new Recused(ERROR_MESSAGES.archive.ownProfile);
    return row;
  }

  /** One month as sealed, checked against its plain copies; undefined when it was never entered. */
  private async monthRow(q: Tx, keys: IntegrityKeyring, code: string, day: string): Promise<Sealed | undefined> {
    const r = await q.query<MonthRow>(`${MONTH_SELECT} WHERE m.official_code = $1 AND m.month = $2`, [code, day]);
    return r.rows[0] && openedMonth(keys, code, r.rows[0]);
  }

  private async view(q: Tx, principal: Claims, person: PersonRow, today: string): Promise<ArchiveProfile> {
    const keys = personalDataKeys(this.db);
    const code = person.code;
    const months = await q.query<MonthRow>(`${MONTH_SELECT} WHERE m.official_code = $1 ORDER BY m.month DESC`, [code]);
    const records = await recordRowsOf(q, [code]);
    // The unit's findings are the unit's: the latest month entered for anyone while in it speaks for it. Opened and
    // checked like any month: a count changed in the database does not reach the portrait.
    const u = person.unit_code ? (await unitMonths(q, keys, person.unit_code, '1900-01-01', 1))[0] : undefined;
    const warnings = await q.query<WarningRow>(`${WARNING_SELECT} WHERE w.official_code = $1 ORDER BY w.state <> 'open', w.raised_at DESC, w.id`, [code]);
    const team = isDistrictRole(principal.role);
    return {
      code,
      name: person.name,
      unitName: person.unit_name,
      rank: person.rank,
      keyOfficial: person.key_official,
      portrait: portraitOf({
        name: person.name,
        rank: person.rank,
        records: records.map((r) => recordOf(r, today)),
        unitFindings: u ? { open: u.findingsOpen, overdue: u.findingsOverdue } : null,
        openWarnings: warnings.rows.filter((w) => w.state === 'open').length,
      }),
      months: months.rows.map((m) => this.monthOf(keys, code, m)),
      warnings: warnings.rows.map((w) => this.warningOf(w, true)),
      canEnter: team && person.key_official,
      canSign: principal.role === 'district_leader' && person.key_official,
      canClose: team,
      currentMonth: monthOf(today),
    };
  }

  private monthOf(keys: IntegrityKeyring, code: string, m: MonthRow): ArchiveMonthView {
    const s = openedMonth(keys, code, m);
    return {
      month: m.month,
      dims: s.dims,
      assessment: s.assessment,
      findingsOpen: s.findingsOpen,
      findingsOverdue: s.findingsOverdue,
      enteredBy: m.entered_by,
      enteredAt: m.entered_at.toISOString(),
      signedBy: m.signed_by,
      signedAt: m.signed_at?.toISOString() ?? null,
    };
  }

  private warningOf(w: WarningRow, withNote: boolean): WarningView {
    let note: string | null = null;
    if (withNote && w.note_ct) {
      try {
        note = openText(personalDataKeys(this.db), notePlace(w), w.note_ct);
      } catch (err) {
        if (err instanceof DecryptError) throw new IntegrityError('archive_warning', w.id);
        throw err;
      }
    }
    return {
      id: w.id,
      officialCode: w.official_code,
      name: w.name,
      unitName: w.unit_name,
      rule: w.rule,
      month: w.month,
      raisedAt: w.raised_at.toISOString(),
      state: w.state,
      action: w.action,
      note,
      closedBy: w.closed_by,
      closedAt: w.closed_at?.toISOString() ?? null,
    };
  }

  private audit(q: Tx, principal: Claims, action: AuditAction, objectId: string, details: AuditDetails): Promise<unknown> {
    const warning = action.startsWith('archive.warning_');
    return appendAudit(q, {
      actorId: principal.sub,
      actorRole: principal.role,
      action,
      objectType: action === 'archive.warnings_view' ? 'archive_warning_list' : warning ? 'archive_warning' : 'official',
      objectId,
      details,
    });
  }
}
