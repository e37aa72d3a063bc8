import {
  AppError,
  ArchiveMonthInput,
  ASSESSMENT_LABELS,
  ASSESSMENTS,
  errorFields,
  ERROR_MESSAGES,
  type Assessment,
  type Logger,
  type RegistryImportView,
} from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/db.js';
import { newId } from '../security/crypto.js';
import { IntegrityError } from '../security/system-keys.js';
import type { Claims } from '../security/jwt.js';
import type { CsvRecord } from '../registry/csv.js';
import type { RegistryImporter } from '../registry/importer.js';
import { markDone, markFailed, saveProgress } from '../registry/import-progress.js';
import { sheetRecords } from '../registry/spreadsheet.js';
import { districtOf } from './district-scope.js';
import type { IntegrityArchive } from './integrity-archive.js';
import { personalDataKeys } from './person-data.js';

const ROW = ERROR_MESSAGES.archiveImport;
/** Rows per transaction: each row reads, seals and judges a month, so batches are smaller than the registry's. */
const BATCH = 100;

/** Column headers as a 督查组's monthly sheet writes them, with English aliases. */
const COLUMNS = {
  code: ['人员编码', 'code'],
  month: ['月份', 'month'],
  property: ['房产等财产情况', '财产情况', 'property'],
  vehicles: ['车辆情况', 'vehicles'],
  family: ['子女及其配偶从业情况', '子女配偶从业情况', 'family'],
  partyGovernance: ['管党治党', '管党治党情况', 'party_governance'],
  duty: ['工作履职', '工作履职情况', 'duty'],
  spirit: ['精神状态', 'spirit'],
  integrity: ['廉洁自律', '廉洁自律情况', 'integrity'],
  findings: ['巡察审计问题', '巡察审计问题及整改进展', 'findings'],
  assessment: ['廉政鉴定', 'assessment'],
  findingsOpen: ['正在整改问题数', 'findings_open'],
  findingsOverdue: ['超期问题数', '整改超期问题数', 'findings_overdue'],
} as const;
type Column = keyof typeof COLUMNS;
const REQUIRED: readonly Column[] = ['code', 'month', 'partyGovernance', 'duty', 'spirit', 'integrity', 'assessment'];

/** 廉政鉴定 as a sheet writes it. */
const ASSESSMENT_WORDS: Record<string, Assessment> = Object.fromEntries([
  ...ASSESSMENTS.map((a) => [a, a] as const),
  ...ASSESSMENTS.map((a) => [ASSESSMENT_LABELS[a], a] as const),
  ['好', 'good'],
  ['较好', 'good'],
  ['差', 'poor'],
]);

/**
 * 2026-03, 2026/3, 2026年3月, or a date cell (2026-03-01): the month as YYYY-MM; undefined when it is none of them.
 * Not 2026.3: a spreadsheet keeps 2026.10 typed as a number as 2026.1, so a dotted month is refused, never misread.
 */
export function monthCell(s: string): string | undefined {
  const m = /^(\d{4})\s*(?:[-/年])\s*(\d{1,2})\s*(?:月|[-/]\d{1,2}日?)?$/.exec(s.trim());
  if (!m) return undefined;
  const month = Number(m[2]);
  return month >= 1 && month <= 12 ? `${m[1]}-${String(month).padStart(2, '0')}` : undefined;
}

function headerMap(header: string[]): Partial<Record<Column, number>> {
  const names = header.map((h) => h.trim().toLowerCase());
  const at: Partial<Record<Column, number>> = {};
  for (const [key, aliases] of Object.entries(COLUMNS) as [Column, readonly string[]][]) {
    const i = names.findIndex((n) => aliases.some((a) => a.toLowerCase() === n));
    if (i >= 0) at[key] = i;
  }
  const missing = REQUIRED.filter((k) => at[k] === undefined).map((k) => COLUMNS[k][0]);
  if (missing.length) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.registry.missingColumns(missing));
  return at;
}

/** A count cell: blank is 0; anything but a whole number is undefined (refused with its own message). */
const count = (s: string) => (s === '' ? 0 : /^\d+$/.test(s) ? Number(s) : undefined);
/** A batch that met another writer's locks in the other order is tried again, this many times. */
const DEADLOCK_RETRIES = 3;
type Totals = { imported: number; errors: number; raised: number };

/**
 * 清廉档案's monthly update from a file (issue 17): a 督查组's sheet of its key officials' six dimensions, one row per
 * person and month, CSV or .xlsx. Each row is written as the screen writes a month (integrity-archive.ts
 * writeMonth: the same 片区 scope, 回避, checks, sealing, warnings and audit rows), in batches of 100 per
 * transaction; progress and a per-row error report are read from the import row while it runs, as the registry's.
 */
export class ArchiveImporter {
  constructor(
    private readonly db: Db,
    private readonly archive: IntegrityArchive,
    private readonly registry: RegistryImporter,
    private readonly log: Logger,
  ) {}

  async start(principal: Claims, data: Buffer): Promise<{ view: RegistryImportView; done: Promise<void> }> {
    const district = await districtOf(this.db, principal);
    const records = await sheetRecords(data);
    if (records.length < 2) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.registry.noRows);
    const columns = headerMap(records[0]!.fields);
    const id = newId();
    await this.db.query(`INSERT INTO registry_imports (id, kind, status, total_rows, started_by) VALUES ($1, 'archive_months', 'running', $2, $3)`, [
      id,
      records.length - 1,
      principal.sub,
    ]);
    this.log.info('archive import started', { importId: id, rows: records.length - 1 });
    const done = this.run(principal, district, id, columns, records.slice(1)).catch((err) => markFailed(this.db, this.log, id, 'archive', err));
    return { view: await this.view(principal, id), done };
  }

  /** Only its importer follows an import (its row errors name codes of their 片区). */
  async view(principal: Claims, id: string): Promise<RegistryImportView> {
    const r = await this.db.query<{ started_by: string }>(`SELECT started_by FROM registry_imports WHERE id = $1 AND kind = 'archive_months'`, [id]);
    if (r.rows[0]?.started_by !== principal.sub) throw new AppError('NOT_FOUND', ERROR_MESSAGES.registry.importNotFound);
    return this.registry.view(id, ['archive_months']);
  }

  private async run(principal: Claims, district: string | undefined, id: string, columns: Partial<Record<Column, number>>, rows: CsvRecord[]): Promise<void> {
    const get = (r: CsvRecord, k: Column) => (columns[k] === undefined ? '' : (r.fields[columns[k]] ?? '').trim());
    const seen = new Set<string>();
    let totals: Totals = { imported: 0, errors: 0, raised: 0 };
    for (let start = 0; start < rows.length; start += BATCH) {
      const batch = rows.slice(start, start + BATCH);
      for (let attempt = 1; ; attempt++) {
        try {
          const done = await this.batch(principal, district, id, batch, get, seen, totals, Math.min(start + BATCH, rows.length));
          for (const k of done.added) seen.add(k);
          totals = done.totals;
          break;
        } catch (err) {
          // 40P01: another import or entry locked the same people in the other order; its work is done, ours again.
          if ((err as { code?: string }).code !== '40P01' || attempt >= DEADLOCK_RETRIES) {
            await this.stoppedAt(id, start, totals.imported).catch((e) => this.log.error('archive import stop not noted', { importId: id, ...errorFields(e) }));
            throw err;
          }
        }
      }
    }
    await this.db.tx(async (q) => {
      await markDone(q, id);
      await appendAudit(q, {
        actorId: principal.sub,
        actorRole: principal.role,
        action: 'archive.months_import',
        objectType: 'archive_import',
        objectId: id,
        details: { rows: rows.length, imported: totals.imported, errors: totals.errors, warningsRaised: totals.raised },
      });
    });
    this.log.info('archive import finished', { importId: id, imported: totals.imported, errors: totals.errors, warningsRaised: totals.raised });
  }

  /**
   * One batch in one transaction: its people locked in code order first (two imports, or an import and an entry on
   * screen, then wait for each other rather than deadlock), each row in a savepoint (a refused row leaves nothing
   * behind, whatever it had written), then the audit rows and the progress. Throws on anything but a row's refusal:
   * an integrity failure fails the import closed, the batch rolled back.
   */
  private async batch(
    principal: Claims,
    district: string | undefined,
    id: string,
    batch: CsvRecord[],
    get: (r: CsvRecord, k: Column) => string,
    seen: ReadonlySet<string>,
    before: Totals,
    processed: number,
  ): Promise<{ totals: Totals; added: Set<string> }> {
    const keys = personalDataKeys(this.db);
    const errors: { line: number; message: string }[] = [];
    const added = new Set<string>();
    const totals = await this.db.tx(async (q) => {
      const codes = [...new Set(batch.map((r) => get(r, 'code')).filter(Boolean))].sort();
      await q.query('SELECT code FROM officials WHERE code = ANY($1::text[]) ORDER BY code FOR UPDATE', [codes]);
      const written = [];
      for (const r of batch) {
        const code = get(r, 'code');
        const month = monthCell(get(r, 'month'));
        const assessment = ASSESSMENT_WORDS[get(r, 'assessment')];
        const open = count(get(r, 'findingsOpen'));
        const overdue = count(get(r, 'findingsOverdue'));
        const parsed = ArchiveMonthInput.safeParse({
          dims: {
            property: get(r, 'property'),
            vehicles: get(r, 'vehicles'),
            family: get(r, 'family'),
            partyGovernance: get(r, 'partyGovernance'),
            duty: get(r, 'duty'),
            spirit: get(r, 'spirit'),
            integrity: get(r, 'integrity'),
            findings: get(r, 'findings'),
          },
          assessment,
          findingsOpen: open,
          findingsOverdue: overdue,
        });
        const key = `${code}|${month}`;
        const problem = !code
          ? ERROR_MESSAGES.registry.rows.missingCode
          : !month
            ? ROW.badMonth
            : !assessment
              ? ROW.badAssessment
              : open === undefined || overdue === undefined
                ? ROW.badCount
                : seen.has(key) || added.has(key)
                  ? ROW.duplicate
                  : !parsed.success
                    ? (parsed.error.issues[0]?.message ?? ROW.badRow)
                    : null;
        if (problem) {
          errors.push({ line: r.line, message: problem });
          continue;
        }
        await q.query('SAVEPOINT archive_row');
        try {
          written.push(await this.archive.writeMonth(q, keys, principal, district, code, month!, parsed.data!));
          await q.query('RELEASE SAVEPOINT archive_row');
          // Only a row written stands for its person and month: a copy after a refused one is judged on its own.
          added.add(key);
        } catch (err) {
          // A refusal (out of 片区, 回避, not a key official, signed, a month out of range) is the row's; an integrity
          // failure or anything else is the import's.
          if (!(err instanceof AppError) || err instanceof IntegrityError) throw err;
          await q.query('ROLLBACK TO SAVEPOINT archive_row');
          errors.push({ line: r.line, message: err.code === 'NOT_FOUND' ? ROW.notInDistrict : err.message });
        }
      }
      // Audit rows last: the chain's lock is held from the first append to the commit.
      for (const w of written) await this.archive.auditMonth(q, principal, w);
      const t: Totals = {
        imported: before.imported + written.length,
        errors: before.errors + errors.length,
        raised: before.raised + written.reduce((n, w) => n + w.raised.length, 0),
      };
      await saveProgress(q, id, { processed, imported: t.imported, errors: t.errors }, errors);
      return t;
    });
    return { totals, added };
  }

  /** Where an import stopped, in its report: the rows before it stand, those from it on were not imported. */
  private async stoppedAt(id: string, start: number, imported: number): Promise<void> {
    await this.db.query(`UPDATE registry_imports SET errors = errors || jsonb_build_array(jsonb_build_object('line', 0, 'message', $2::text)) WHERE id = $1`, [
      id,
      ROW.stopped(start, imported),
    ]);
  }
}
