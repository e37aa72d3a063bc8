import {
  AppError,
  ArchiveDims,
  ERROR_MESSAGES,
  isDistrictRole,
  localDay,
  ArchiveMonthInput,
  type ArchiveMonthView,
  type ArchiveProfile,
  type Assessment,
  type AuditAction,
  type WarningAction,
  WarningCloseInput,
  type WarningListAnswer,
  type WarningRule,
  type WarningView,
} from '@vj/shared';
import type { z } from 'zod';
import { appendAudit, type AuditDetails } from '../audit/audit-log.js';
import type { Db, Tx } from '../db/db.js';
import { DecryptError, newId } from '../security/crypto.js';
import type { Claims } from '../security/jwt.js';
import { IntegrityError } from '../security/system-keys.js';
import { monthOf, monthsBetween, portraitOf, warningsFor } from './archive-rules.js';
import { districtOf } from './district-scope.js';
import { recordOf, type RecordRow } from './people-search.js';
import { openMonth, openNote, personalDataKeys, personalMac, sealMonth, sealNote } from './person-data.js';

type MonthInput = z.output<typeof ArchiveMonthInput>;
type CloseInput = z.output<typeof WarningCloseInput>;

/** How far back a month may still be entered or corrected: the last twelve, this one included. */
const EDITABLE_MONTHS = 12;

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
  entered_at: Date;
  signed_by: string | null;
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
  state: 'open' | 'closed';
  action: WarningAction | null;
  note_ct: Buffer | null;
  closed_by: string | null;
  closed_at: Date | null;
};

const WARNING_SELECT = `SELECT w.id, w.official_code, o.name, u.name AS unit_name, w.rule, to_char(w.month, 'YYYY-MM') AS month, w.raised_at, w.state,
    w.action, w.note_ct, cu.display_name AS closed_by, w.closed_at
  FROM archive_warnings w JOIN officials o ON o.code = w.official_code LEFT JOIN org_units u ON u.code = o.unit_code
  LEFT JOIN users cu ON cu.id = w.closed_by`;

/**
 * 清廉档案 (issue 17): a person's profile (portrait, months, warnings), the monthly entry of a key official's six
 * dimensions by the 督查组 of their 片区, the leader's sign-off, and the warnings the entries raise, closed by a
 * 提醒 or an 教育. A 督查组 sees only its own 片区 (another 片区's person is answered as no person at all). Every
 * profile opened and every change is audited in its own transaction; the words are sealed (person-data.ts).
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
      const person = await this.person(q, code, district);
      const view = await this.view(q, principal, person, today);
      await this.audit(q, principal, 'archive.profile_view', code, { months: view.months.length, warnings: view.warnings.length });
      return view;
    });
  }

  async enterMonth(principal: Claims, code: string, month: string, input: MonthInput): Promise<ArchiveProfile> {
    const today = this.today();
    const current = monthOf(today);
    if (month > current) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.archive.futureMonth, ['month']);
    if (monthsBetween(month, current) >= EDITABLE_MONTHS) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.archive.tooOld, ['month']);
    const keys = personalDataKeys(this.db);
    return this.db.tx(async (q) => {
      const district = await districtOf(q, principal);
      // Locked: two entries for one person at once would each read the other's month as not there yet.
      const person = await this.person(q, code, district, true);
      if (!person.key_official) throw new AppError('CONFLICT', ERROR_MESSAGES.archive.notKeyOfficial);
      const day = `${month}-01`;
      const existing = await q.query<{ signed_at: Date | null }>('SELECT signed_at FROM archive_months WHERE official_code = $1 AND month = $2', [code, day]);
      if (existing.rows[0]?.signed_at) throw new AppError('CONFLICT', ERROR_MESSAGES.archive.signed);
      const prev = await q.query<{ personal_mac: Buffer; month: string }>(
        `SELECT personal_mac, to_char(month, 'YYYY-MM-DD') AS month FROM archive_months WHERE official_code = $1 AND month < $2 ORDER BY month DESC LIMIT 1`,
        [code, day],
      );
      const records = await q.query<{ n: string }>(
        `SELECT count(*) AS n FROM discipline_records WHERE official_code = $1 AND decided_on >= $2::date AND decided_on < $3::date + interval '1 month'`,
        [code, prev.rows[0]?.month ?? day, day],
      );
      const mac = personalMac(keys, code, input.dims);
      const at = this.now();
      await q.query(
        `INSERT INTO archive_months (official_code, month, dims_ct, personal_mac, assessment, findings_open, findings_overdue, entered_by, entered_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (official_code, month) DO UPDATE SET dims_ct = excluded.dims_ct, personal_mac = excluded.personal_mac, assessment = excluded.assessment,
           findings_open = excluded.findings_open, findings_overdue = excluded.findings_overdue, entered_by = excluded.entered_by, entered_at = excluded.entered_at`,
        [code, day, sealMonth(keys, code, month, input.dims), mac, input.assessment, input.findingsOpen, input.findingsOverdue, principal.sub, at],
      );
      const rules = warningsFor({
        previousPersonalMac: prev.rows[0]?.personal_mac ?? null,
        personalMac: mac,
        assessment: input.assessment,
        findingsOverdue: input.findingsOverdue,
        newRecords: Number(records.rows[0]!.n),
      });
      const raised: { id: string; rule: WarningRule }[] = [];
      for (const rule of rules) {
        // Once per person, rule and month: saving the month again (a correction, a retry) raises nothing new.
        const r = await q.query<{ id: string }>(
          `INSERT INTO archive_warnings (id, official_code, rule, month, raised_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (official_code, rule, month) DO NOTHING RETURNING id`,
          [newId(), code, rule, day, at],
        );
        if (r.rows[0]) raised.push({ id: r.rows[0].id, rule });
      }
      const view = await this.view(q, principal, person, today);
      // Audit rows last: the chain's lock is held from the first append to the commit.
      for (const w of raised) await this.audit(q, principal, 'archive.warning_raised', w.id, { official: code, rule: w.rule, month });
      await this.audit(q, principal, 'archive.month_entered', code, {
        month,
        assessment: input.assessment,
        replaced: existing.rows.length > 0,
        warningsRaised: raised.length,
      });
      return view;
    });
  }

  /** The 督查组 leader's sign-off of a month's 廉政鉴定: from then on the month is fixed. Signing again is a no-op. */
  async signMonth(principal: Claims, code: string, month: string): Promise<ArchiveProfile> {
    const today = this.today();
    return this.db.tx(async (q) => {
      const district = await districtOf(q, principal);
      const person = await this.person(q, code, district, true);
      const day = `${month}-01`;
      const row = await q.query<{ signed_by: string | null }>('SELECT signed_by FROM archive_months WHERE official_code = $1 AND month = $2', [code, day]);
      if (!row.rows[0]) throw new AppError('CONFLICT', ERROR_MESSAGES.archive.monthMissing);
      if (row.rows[0].signed_by) {
        // The same leader again (a retry after a lost answer): the month as it stands.
        if (row.rows[0].signed_by === principal.sub) return this.view(q, principal, person, today);
        throw new AppError('CONFLICT', ERROR_MESSAGES.archive.alreadySigned);
      }
      await q.query('UPDATE archive_months SET signed_by = $3, signed_at = $4 WHERE official_code = $1 AND month = $2', [code, day, principal.sub, this.now()]);
      const view = await this.view(q, principal, person, today);
      await this.audit(q, principal, 'archive.month_signed', code, { month });
      return view;
    });
  }

  /** The warnings of the reader's 片区 (or the county's), open ones first by default; names only, never notes. */
  async warnings(principal: Claims, state: 'open' | 'closed' | 'all'): Promise<WarningListAnswer> {
    return this.db.tx(async (q) => {
      const district = await districtOf(q, principal);
      const r = await q.query<WarningRow>(
        `${WARNING_SELECT} WHERE ($1::text IS NULL OR u.district_code = $1::text) AND ($2::text = 'all' OR w.state = $2::text)
          ORDER BY w.state, w.raised_at DESC, w.id LIMIT 501`,
        [district ?? null, state],
      );
      return { items: r.rows.slice(0, 500).map((w) => this.warningOf(w, false)), truncated: r.rows.length > 500 };
    });
  }

  async closeWarning(principal: Claims, id: string, input: CloseInput): Promise<WarningView> {
    const keys = personalDataKeys(this.db);
    return this.db.tx(async (q) => {
      const district = await districtOf(q, principal);
      const found = await q.query<{ state: string; district_code: string | null; official_code: string }>(
        `SELECT w.state, u.district_code, w.official_code FROM archive_warnings w JOIN officials o ON o.code = w.official_code
           LEFT JOIN org_units u ON u.code = o.unit_code WHERE w.id = $1 FOR UPDATE OF w`,
        [id],
      );
      const w = found.rows[0];
      if (!w || (district && w.district_code !== district)) throw new AppError('NOT_FOUND', ERROR_MESSAGES.archive.warningNotFound);
      if (w.state === 'closed') throw new AppError('CONFLICT', ERROR_MESSAGES.archive.warningClosed);
      await q.query(`UPDATE archive_warnings SET state = 'closed', action = $2, note_ct = $3, closed_by = $4, closed_at = $5 WHERE id = $1`, [
        id,
        input.action,
        sealNote(keys, id, input.note),
        principal.sub,
        this.now(),
      ]);
      const r = await q.query<WarningRow>(`${WARNING_SELECT} WHERE w.id = $1`, [id]);
      await this.audit(q, principal, 'archive.warning_closed', id, { official: w.official_code, action: input.action });
      return this.warningOf(r.rows[0]!, true);
    });
  }

  /** The person, if this reader may see them: another 片区's person is answered as no person at all. */
  private async person(q: Tx, code: string, district: string | undefined, lock = false): Promise<PersonRow> {
    const r = await q.query<PersonRow>(
      `SELECT o.code, o.name, o.unit_code, u.name AS unit_name, u.district_code, o.rank, o.key_official
         FROM officials o LEFT JOIN org_units u ON u.code = o.unit_code WHERE o.code = $1${lock ? ' FOR UPDATE OF o' : ''}`,
      [code],
    );
    const row = r.rows[0];
    if (!row || (district && row.district_code !== district)) throw new AppError('NOT_FOUND', ERROR_MESSAGES.discipline.personNotFound);
    return row;
  }

  private async view(q: Tx, principal: Claims, person: PersonRow, today: string): Promise<ArchiveProfile> {
    const keys = personalDataKeys(this.db);
    const code = person.code;
    const months = await q.query<MonthRow>(
      `SELECT to_char(m.month, 'YYYY-MM') AS month, m.dims_ct, m.assessment, m.findings_open, m.findings_overdue,
              eu.display_name AS entered_by, m.entered_at, su.display_name AS signed_by, m.signed_at
         FROM archive_months m JOIN users eu ON eu.id = m.entered_by LEFT JOIN users su ON su.id = m.signed_by
        WHERE m.official_code = $1 ORDER BY m.month DESC`,
      [code],
    );
    const records = await q.query<RecordRow>(
      `SELECT id, official_code, to_char(decided_on, 'YYYY-MM-DD') AS decided_on, kind, sanction, probation_months, authority, reason
         FROM discipline_records WHERE official_code = $1 ORDER BY decided_on DESC, id`,
      [code],
    );
    // The unit's findings are the unit's: the latest month entered for any of its key officials speaks for it.
    const unit = person.unit_code
      ? await q.query<{ findings_open: number; findings_overdue: number }>(
          `SELECT m.findings_open, m.findings_overdue FROM archive_months m JOIN officials o ON o.code = m.official_code
            WHERE o.unit_code = $1 ORDER BY m.month DESC, m.entered_at DESC LIMIT 1`,
          [person.unit_code],
        )
      : undefined;
    const warnings = await q.query<WarningRow>(`${WARNING_SELECT} WHERE w.official_code = $1 ORDER BY w.state DESC, w.raised_at DESC, w.id`, [code]);
    const u = unit?.rows[0];
    const district = isDistrictRole(principal.role);
    return {
      code,
      name: person.name,
      unitName: person.unit_name,
      rank: person.rank,
      keyOfficial: person.key_official,
      portrait: portraitOf({
        name: person.name,
        rank: person.rank,
        records: records.rows.map((r) => recordOf(r, today)),
        unitFindings: u ? { open: u.findings_open, overdue: u.findings_overdue } : null,
        openWarnings: warnings.rows.filter((w) => w.state === 'open').length,
      }),
      months: months.rows.map((m) => this.monthOf(keys, code, m)),
      warnings: warnings.rows.map((w) => this.warningOf(w, true)),
      canEnter: district && person.key_official,
      canSign: principal.role === 'district_leader' && person.key_official,
      currentMonth: monthOf(today),
    };
  }

  private monthOf(keys: ReturnType<typeof personalDataKeys>, code: string, m: MonthRow): ArchiveMonthView {
    let dims: ArchiveDims;
    try {
      dims = ArchiveDims.parse(openMonth(keys, code, m.month, m.dims_ct));
    } catch (err) {
      // A row that does not open where it stands was moved or altered behind the application's back.
      if (err instanceof DecryptError) throw new IntegrityError('archive_month', `${code}|${m.month}`);
      throw err;
    }
    return {
      month: m.month,
      dims,
      assessment: m.assessment,
      findingsOpen: m.findings_open,
      findingsOverdue: m.findings_overdue,
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
        note = openNote(personalDataKeys(this.db), w.id, w.note_ct);
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
    return appendAudit(q, {
      actorId: principal.sub,
      actorRole: principal.role,
      action,
      objectType: action === 'archive.warning_raised' || action === 'archive.warning_closed' ? 'archive_warning' : 'official',
      objectId,
      details,
    });
  }
}
