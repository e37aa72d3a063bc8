import { AppError, ERROR_MESSAGES, localDay, WARNING_RULES, type UnitListAnswer, type UnitReport, type UnitReportMonth, type WarningRule } from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import { namedAsAccused, Recused } from '../cases/conflicts.js';
import { newId } from '../security/crypto.js';
import type { Db, Tx } from '../db/db.js';
import type { Claims } from '../security/jwt.js';
import { lastTwelve, monthOf, monthsBetween } from './archive-rules.js';
import { districtOf } from './district-scope.js';
import { unitMonths } from './integrity-archive.js';
import { recordOf, type RecordRow } from './people-search.js';
import { personalDataKeys } from './person-data.js';
import { reportSummary } from './report-rules.js';

const LIST_LIMIT = 600;
/** 党的十八大 opened on 8 November 2012: the records the report counts start there. */
const SINCE = '2012-11-08';

type UnitRow = { code: string; name: string; district_code: string | null; district_name: string | null; own: boolean };

/**
 * 政治生态报告 (issue 17): a unit's report drawn from its members' profiles, and the list of units to choose from. A
 * 督查组 sees only its own 片区's units (another's is no unit at all); nobody reads the report of their own unit
 * (回避). Each report read, on screen or as PDF, is audited in its own transaction with the unit and its counts.
 */
export class UnitReports {
  constructor(
    private readonly db: Db,
    /** Injected by tests that move the clock. */
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The units, with counts; never the reader's own (回避). Audited: it tells each unit's warnings and records. */
  async list(principal: Claims, text: string): Promise<UnitListAnswer> {
    return this.db.tx(async (q) => {
      const answer = await this.units(q, principal, text);
      await appendAudit(q, {
        actorId: principal.sub,
        actorRole: principal.role,
        action: 'archive.units_view',
        objectType: 'org_unit_list',
        objectId: newId(),
        details: { results: answer.items.length },
      });
      return answer;
    });
  }

  private async units(q: Tx, principal: Claims, text: string): Promise<UnitListAnswer> {
    const district = await districtOf(q, principal);
    const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const r = await q.query<{
      code: string;
      name: string;
      district_name: string | null;
      members: number;
      key: number;
      warnings: number;
      records: number;
    }>(
      `SELECT u.code, u.name, dd.name AS district_name,
          (SELECT count(*)::int FROM officials o WHERE o.unit_code = u.code) AS members,
          (SELECT count(*)::int FROM officials o WHERE o.unit_code = u.code AND o.key_official) AS key,
          (SELECT count(*)::int FROM archive_warnings w JOIN archive_months m ON m.official_code = w.official_code AND m.month = w.month
            WHERE m.unit_code = u.code AND w.state = 'open') AS warnings,
          (SELECT count(*)::int FROM discipline_records d JOIN officials o ON o.code = d.official_code WHERE o.unit_code = u.code) AS records
         FROM org_units u LEFT JOIN districts dd ON dd.code = u.district_code
        WHERE ($1::text IS NULL OR u.district_code = $1::text) AND ($2::text = '' OR u.code LIKE $3 OR u.name LIKE $3)
          AND NOT EXISTS (SELECT 1 FROM users us JOIN officials me ON me.code = us.official_code WHERE us.id = $4 AND me.unit_code = u.code)
        ORDER BY u.district_code NULLS LAST, u.code LIMIT ${LIST_LIMIT + 1}`,
      [district ?? null, text, like, principal.sub],
    );
    return {
      items: r.rows.slice(0, LIST_LIMIT).map((u) => ({
        code: u.code,
        name: u.name,
        districtName: u.district_name,
        members: u.members,
        keyOfficials: u.key,
        openWarnings: u.warnings,
        records: u.records,
      })),
      truncated: r.rows.length > LIST_LIMIT,
    };
  }

  /** The report, audited as read (`form`: on screen or as PDF). */
  async report(principal: Claims, code: string, form: 'screen' | 'pdf'): Promise<UnitReport> {
    const today = localDay(this.now());
    return this.db.tx(async (q) => {
      const unit = await this.unit(q, principal, code);
      const report = await this.draw(q, principal, unit, today);
      await appendAudit(q, {
        actorId: principal.sub,
        actorRole: principal.role,
        action: 'archive.unit_report',
        objectType: 'org_unit',
        objectId: code,
        details: { form, members: report.members, warningsOpen: report.warnings.open },
      });
      return report;
    });
  }

  private async unit(q: Tx, principal: Claims, code: string): Promise<UnitRow> {
    const district = await districtOf(q, principal);
    const r = await q.query<UnitRow>(
      `SELECT u.code, u.name, u.district_code, dd.name AS district_name,
          EXISTS (SELECT 1 FROM users us JOIN officials o ON o.code = us.official_code WHERE us.id = $2 AND o.unit_code = u.code) AS own
         FROM org_units u LEFT JOIN districts dd ON dd.code = u.district_code WHERE u.code = $1`,
      [code, principal.sub],
    );
    const u = r.rows[0];
    if (!u || (district && u.district_code !== district)) throw new AppError('NOT_FOUND', ERROR_MESSAGES.archive.unitNotFound);
    if (u.own) throw new Recused(ERROR_MESSAGES.archive.ownUnit);
    return u;
  }

  private async draw(q: Tx, principal: Claims, unit: UnitRow, today: string): Promise<UnitReport> {
    const months = lastTwelve(monthOf(today));
    const yearAgo = `${months[0]}-01`;
    const people = await q.query<{ members: number; key: number }>(
      'SELECT count(*)::int AS members, count(*) FILTER (WHERE key_official)::int AS key FROM officials WHERE unit_code = $1',
      [unit.code],
    );
    const records = await q.query<RecordRow>(
      `SELECT d.id, d.official_code, to_char(d.decided_on, 'YYYY-MM-DD') AS decided_on, d.kind, d.sanction, d.probation_months, d.authority, d.reason
         FROM discipline_records d JOIN officials o ON o.code = d.official_code
        WHERE o.unit_code = $1 AND d.decided_on >= $2::date AND d.decided_on <= $3::date`,
      // 十八大以来 (from 8 Nov 2012), and decided by today: a record dated ahead is not yet a fact of the unit.
      [unit.code, SINCE, today],
    );
    // Accusations naming a member: linked to them at intake, or by name alone (unlinked, with this unit or none, as
    // NAMING reads them), told apart; never a sealed matter, never one naming the reader (回避); counted, never shown.
    const accusations = await q.query<{ open: number; year: number; by_name: number }>(
      `SELECT count(*) FILTER (WHERE p.status <> 'closed')::int AS open, count(*) FILTER (WHERE p.created_at >= $3::date)::int AS year,
              count(*) FILTER (WHERE p.status <> 'closed' AND p.id NOT IN (
                SELECT pa.petition_id FROM petition_accused pa JOIN officials o ON o.code = pa.official_code WHERE o.unit_code = $1))::int AS by_name
         FROM petitions p WHERE NOT p.sealed AND p.matter_class = 'accusation' AND NOT ${namedAsAccused(4)} AND p.id IN (
           SELECT pa.petition_id FROM petition_accused pa JOIN officials o ON o.code = pa.official_code WHERE o.unit_code = $1
           UNION
           SELECT pa.petition_id FROM petition_accused pa JOIN officials o ON o.name = pa.name
            WHERE pa.official_code IS NULL AND o.unit_code = $1 AND (pa.unit = '' OR pa.unit = $2))`,
      [unit.code, unit.name, yearAgo, principal.sub],
    );
    // A warning is the unit's where the month that raised it was entered, not where its person is now.
    const warnings = await q.query<{ rule: WarningRule; state: string; month: string; recent: boolean; closed_recent: boolean }>(
      `SELECT w.rule, w.state, to_char(w.month, 'YYYY-MM') AS month, w.month >= $2::date AS recent,
              (w.state = 'closed' AND w.month >= $2::date) AS closed_recent
         FROM archive_warnings w JOIN archive_months m ON m.official_code = w.official_code AND m.month = w.month
        WHERE m.unit_code = $1 AND w.state <> 'withdrawn'`,
      [unit.code, yearAgo],
    );
    const entered = await unitMonths(q, personalDataKeys(this.db), unit.code, yearAgo);
    const latest = entered[0] ?? (await unitMonths(q, personalDataKeys(this.db), unit.code, '1900-01-01', 1))[0];

    const views = records.rows.map((r) => recordOf(r, today));
    const byRule = Object.fromEntries(WARNING_RULES.map((k) => [k, 0])) as Record<WarningRule, number>;
    for (const w of warnings.rows) if (w.recent) byRule[w.rule]++;
    const trend: UnitReportMonth[] = months.map((month) => {
      const these = entered.filter((m) => m.month === month);
      return {
        month,
        entered: these.length,
        good: these.filter((m) => m.assessment === 'good').length,
        fair: these.filter((m) => m.assessment === 'fair').length,
        poor: these.filter((m) => m.assessment === 'poor').length,
        warnings: warnings.rows.filter((w) => w.month === month).length,
        records: views.filter((r) => monthOf(r.decidedOn) === month).length,
      };
    });
    const base: Omit<UnitReport, 'summary'> = {
      code: unit.code,
      name: unit.name,
      districtName: unit.district_name,
      asOf: today,
      members: people.rows[0]!.members,
      keyOfficials: people.rows[0]!.key,
      discipline: {
        total: views.length,
        inEffect: views.filter((r) => r.effect.state === 'in_effect' || r.effect.state === 'permanent').length,
        lastYear: views.filter((r) => monthsBetween(monthOf(r.decidedOn), monthOf(today)) < 12 && r.decidedOn <= today).length,
        party: views.filter((r) => r.sanction?.startsWith('party_')).length,
        government: views.filter((r) => r.sanction?.startsWith('gov_')).length,
        handling: views.filter((r) => r.effect.state === 'not_sanction').length,
      },
      accusations: { open: accusations.rows[0]!.open, openByName: accusations.rows[0]!.by_name, lastYear: accusations.rows[0]!.year },
      warnings: {
        open: warnings.rows.filter((w) => w.state === 'open').length,
        lastYear: warnings.rows.filter((w) => w.recent).length,
        closedLastYear: warnings.rows.filter((w) => w.closed_recent).length,
        byRule,
      },
      findings: latest ? { month: latest.month, open: latest.findingsOpen, overdue: latest.findingsOverdue } : null,
      months: trend,
    };
    return { ...base, summary: reportSummary(base) };
  }
}
