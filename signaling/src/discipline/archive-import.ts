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
import type { Claims } from '../security/jwt.js';
import type { CsvRecord } from '../registry/csv.js';
import type { RegistryImporter } from '../registry/importer.js';
import { sheetRecords } from '../registry/spreadsheet.js';
import { districtOf } from './district-scope.js';
import type { IntegrityArchive } from './integrity-archive.js';
import { personalDataKeys } from './person-data.js';

const ROW = ERROR_MESSAGES.archiveImport;
/** Rows per transaction: each row reads, seals and judges a month, so batches are smaller than the registry's. */
const BATCH = 100;
const MAX_STORED_ERRORS = 1000;

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

/** 2026-03, 2026/3, 2026年3月, or a date cell (2026-03-01): the month as YYYY-MM; undefined when it is none of them. */
export function monthCell(s: string): string | undefined {
  const m = /^(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:月|[-/.]\d{1,2}日?)?$/.exec(s.trim());
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

const count = (s: string) => (s === '' ? 0 : /^\d+$/.test(s) ? Number(s) : Number.NaN);

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
    const done = this.run(principal, district, id, columns, records.slice(1)).catch(async (err) => {
      this.log.error('archive import failed', { importId: id, ...errorFields(err) });
      await this.db
        .query(`UPDATE registry_imports SET status = 'failed', finished_at = now() WHERE id = $1`, [id])
        .catch((e) => this.log.error('archive import not marked failed', { importId: id, ...errorFields(e) }));
    });
    return { view: await this.view(principal, id), done };
  }

  /** Only its importer follows an import (its row errors name codes of their 片区). */
  async view(principal: Claims, id: string): Promise<RegistryImportView> {
    const r = await this.db.query<{ started_by: string }>(`SELECT started_by FROM registry_imports WHERE id = $1 AND kind = 'archive_months'`, [id]);
    if (r.rows[0]?.started_by !== principal.sub) throw new AppError('NOT_FOUND', ERROR_MESSAGES.registry.importNotFound);
    return this.registry.view(id, ['archive_months']);
  }

  private async run(principal: Claims, district: string | undefined, id: string, columns: Partial<Record<Column, number>>, rows: CsvRecord[]): Promise<void> {
    const keys = personalDataKeys(this.db);
    const get = (r: CsvRecord, k: Column) => (columns[k] === undefined ? '' : (r.fields[columns[k]] ?? '').trim());
    const seen = new Set<string>();
    let imported = 0;
    let errorCount = 0;
    let raised = 0;
    for (let start = 0; start < rows.length; start += BATCH) {
      const errors: { line: number; message: string }[] = [];
      await this.db.tx(async (q) => {
        const written = [];
        for (const r of rows.slice(start, start + BATCH)) {
          const code = get(r, 'code');
          const month = monthCell(get(r, 'month'));
          const assessment = ASSESSMENT_WORDS[get(r, 'assessment')];
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
            findingsOpen: count(get(r, 'findingsOpen')),
            findingsOverdue: count(get(r, 'findingsOverdue')),
          });
          const problem = !code
            ? ERROR_MESSAGES.registry.rows.missingCode
            : !month
              ? ROW.badMonth
              : !assessment
                ? ROW.badAssessment
                : seen.has(`${code}|${month}`)
                  ? ROW.duplicate
                  : !parsed.success
                    ? (parsed.error.issues[0]?.message ?? ROW.badRow)
                    : null;
          if (problem) {
            errors.push({ line: r.line, message: problem });
            continue;
          }
          seen.add(`${code}|${month}`);
          try {
            // Checks that refuse a row throw before it writes, so the batch's transaction goes on with the next row.
            written.push(await this.archive.writeMonth(q, keys, principal, district, code, month!, parsed.data!));
          } catch (err) {
            if (!(err instanceof AppError)) throw err;
            errors.push({ line: r.line, message: err.code === 'NOT_FOUND' ? ROW.notInDistrict : err.message });
          }
        }
        // Audit rows last: the chain's lock is held from the first append to the commit.
        for (const w of written) await this.archive.auditMonth(q, principal, w);
        imported += written.length;
        raised += written.reduce((n, w) => n + w.raised.length, 0);
        errorCount += errors.length;
        await q.query(
          `UPDATE registry_imports SET processed_rows = $2, imported_rows = $3, error_count = $4,
             errors = CASE WHEN jsonb_array_length(errors) < ${MAX_STORED_ERRORS} THEN errors || $5::jsonb ELSE errors END WHERE id = $1`,
          [id, Math.min(start + BATCH, rows.length), imported, errorCount, JSON.stringify(errors)],
        );
      });
    }
    await this.db.tx(async (q) => {
      await q.query(`UPDATE registry_imports SET status = 'done', finished_at = now() WHERE id = $1`, [id]);
      await appendAudit(q, {
        actorId: principal.sub,
        actorRole: principal.role,
        action: 'archive.months_import',
        objectType: 'archive_import',
        objectId: id,
        details: { rows: rows.length, imported, errors: errorCount, warningsRaised: raised },
      });
    });
    this.log.info('archive import finished', { importId: id, imported, errors: errorCount, warningsRaised: raised });
  }
}
