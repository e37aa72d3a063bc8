import {
  AppError,
  isValidIdCard,
  MANAGEMENT_LEVEL_LABELS,
  MANAGEMENT_LEVELS,
  sanctionOf,
  type Logger,
  type ManagementLevel,
  type RegistryImportView,
  ERROR_MESSAGES,
  REGISTRY_KINDS,
} from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import { newId } from '../security/crypto.js';
import type { Db, Tx } from '../db/db.js';
import type { Claims } from '../security/jwt.js';
import type { CsvRecord } from './csv.js';
import { markDone, markFailed, saveProgress } from './import-progress.js';
import { sheetRecords } from './spreadsheet.js';
import { changesGuarded, guardedEntries, guardedUnits, holdChange, type HeldEntry } from './held-changes.js';
import { linkUsersFromRegistry } from './user-links.js';
import { nameKeys } from '../discipline/name-keys.js';
import { writeRecords, type RecordInput } from '../discipline/people-store.js';
import { normaliseIdCard, personalDataKeys, sealIdCard } from '../discipline/person-data.js';

type Kind = (typeof REGISTRY_KINDS)[number];
const ROW = ERROR_MESSAGES.registry.rows;

/** Column headers as the source systems export them, with English aliases. */
const COLUMNS: Record<Kind, Record<string, readonly string[]>> = {
  officials: {
    code: ['人员编码', 'code'],
    name: ['姓名', 'name'],
    unitCode: ['单位编码', 'unit_code'],
    unitName: ['单位名称', 'unit_name'],
    position: ['职务', 'position'],
    township: ['乡镇', 'township'],
    level: ['管理层级', 'management_level'],
    idCard: ['身份证号', 'id_card'],
    // 清廉档案: the 职级 the portrait quotes, and whether the person is one of the 关键少数 entered monthly.
    rank: ['职级', 'rank'],
    keyOfficial: ['关键少数', 'key_official'],
    // The 片区 whose 督查组 watches the unit (第一片区 or d1); blank leaves the unit's 片区 as it is.
    district: ['片区', 'district'],
  },
  discipline: {
    id: ['记录编号', 'id'],
    official: ['人员编码', 'official_code'],
    date: ['处分日期', 'decided_on'],
    kind: ['处分种类', 'kind'],
    reason: ['事由', 'reason'],
    authority: ['决定机关', 'authority'],
    probation: ['察看期', 'probation'],
  },
};
/** 关键少数 as a spreadsheet writes it; blank is 否. */
const KEY_OFFICIAL: Record<string, boolean> = {
  '': false,
  是: true,
  否: false,
  y: true,
  n: false,
  yes: true,
  no: false,
  '1': true,
  '0': false,
  true: true,
  false: false,
};

const REQUIRED: Record<Kind, readonly string[]> = { officials: ['code', 'name'], discipline: ['id', 'official', 'date', 'kind', 'reason'] };
const BATCH = 1000;
/** A running import whose batches have not advanced for this long is taken as cut off (a batch takes seconds; this is minutes). */
export const STALE_IMPORT_S = 300;
const MAX_LEN = 200;

type RowError = { line: number; message: string };

function headerMap(kind: Kind, header: string[]): Record<string, number> {
  const at: Record<string, number> = {};
  const names = header.map((h) => h.trim().toLowerCase());
  for (const [key, aliases] of Object.entries(COLUMNS[kind])) {
    const i = names.findIndex((n) => aliases.some((a) => a.toLowerCase() === n));
    if (i >= 0) at[key] = i;
  }
  const missing = REQUIRED[kind].filter((k) => at[k] === undefined).map((k) => COLUMNS[kind][k]![0] ?? k);
  if (missing.length) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.registry.missingColumns(missing));
  return at;
}

/** 管理层级 as the personnel system writes it (县管干部…) or as a code; blank is 未确定. */
function levelOf(s: string): ManagementLevel | undefined {
  if (s === '') return 'unknown';
  return MANAGEMENT_LEVELS.find((l) => l === s || MANAGEMENT_LEVEL_LABELS[l] === s);
}

/** 留党察看's 察看期 as written; blank for every other sanction. */
const PROBATION: Record<string, number | null> = { '': null, 一年: 12, 二年: 24, 两年: 24, '1': 12, '2': 24, '12': 12, '24': 24 };

const isDate = (s: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

/**
 * Imports the officials registry (清廉档案) and discipline records (受处分人员信息) from CSV or .xlsx. The upload returns
 * at once with an import id; rows are checked one by one and written in batches, and progress and a per-row
 * error report are read from the import row while it runs. Re-importing a file updates rows by their codes.
 */
export class RegistryImporter {
  constructor(
    private readonly db: Db,
    private readonly rooms: ReadonlyMap<string, string>,
    private readonly log: Logger,
  ) {}

  /**
   * An import cut off by a restart is marked failed, so its progress bar does not wait forever; the 清廉档案 monthly
   * imports share the table and are marked too. Alone (one process), every running import was this process's and is
   * cut off. In a cluster another node may be running one: only those no batch has advanced for STALE_IMPORT_S are
   * (each node sweeps again every minute, so one whose node died is marked within a few minutes).
   */
  async recover(alone: boolean): Promise<number> {
    const r = await this.db.query(
      `UPDATE registry_imports SET status = 'failed', finished_at = now(), errors = errors || jsonb_build_array(jsonb_build_object('line', 0, 'message', $1::text))
        WHERE status = 'running' AND ($2::boolean OR heartbeat_at < now() - make_interval(secs => $3))`,
      [ROW.interrupted, alone, STALE_IMPORT_S],
    );
    return r.rowCount ?? 0;
  }

  async start(principal: Claims, kind: Kind, data: Buffer): Promise<{ view: RegistryImportView; done: Promise<void> }> {
    const records = await sheetRecords(data);
    if (records.length < 2) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.registry.noRows);
    const columns = headerMap(kind, records[0]!.fields);
    const id = newId();
    await this.db.query(`INSERT INTO registry_imports (id, kind, status, total_rows, started_by) VALUES ($1, $2, 'running', $3, $4)`, [
      id,
      kind,
      records.length - 1,
      principal.sub,
    ]);
    this.log.info('registry import started', { importId: id, kind, rows: records.length - 1 });
    const done = this.run(principal, id, kind, columns, records.slice(1)).catch((err) => markFailed(this.db, this.log, id, 'registry', err));
    return { view: await this.view(id), done };
  }

  /** An import's progress and row errors; `kinds`: the kinds the asking route may see (an archive import is not the registry's). */
  async view(id: string, kinds: readonly RegistryImportView['kind'][] = REGISTRY_KINDS): Promise<RegistryImportView> {
    const r = await this.db.query<{
      id: string;
      kind: Kind;
      status: RegistryImportView['status'];
      total_rows: number;
      processed_rows: number;
      imported_rows: number;
      error_count: number;
      errors: RowError[];
      started_at: Date;
      finished_at: Date | null;
    }>('SELECT * FROM registry_imports WHERE id = $1 AND kind = ANY($2::text[])', [id, kinds]);
    const i = r.rows[0];
    if (!i) throw new AppError('NOT_FOUND', ERROR_MESSAGES.registry.importNotFound);
    return {
      id: i.id,
      kind: i.kind,
      status: i.status,
      totalRows: i.total_rows,
      processedRows: i.processed_rows,
      importedRows: i.imported_rows,
      errorCount: i.error_count,
      errors: i.errors,
      startedAt: i.started_at.toISOString(),
      finishedAt: i.finished_at?.toISOString() ?? null,
    };
  }

  private async run(principal: Claims, id: string, kind: Kind, columns: Record<string, number>, rows: CsvRecord[]): Promise<void> {
    let imported = 0;
    let errorCount = 0;
    for (let start = 0; start < rows.length; start += BATCH) {
      const batch = rows.slice(start, start + BATCH);
      const get = (r: CsvRecord, key: string) => (columns[key] === undefined ? '' : (r.fields[columns[key]] ?? '').trim());
      const errors: RowError[] = [];
      await this.db.tx(async (q) => {
        const ok =
          kind === 'officials'
            ? await this.officials(
                q,
                batch,
                get,
                errors,
                { level: columns['level'] !== undefined, rank: columns['rank'] !== undefined, key: columns['keyOfficial'] !== undefined },
                { principal, importId: id },
              )
            : await this.discipline(q, batch, get, errors);
        imported += ok;
        errorCount += errors.length;
        await saveProgress(q, id, { processed: start + batch.length, imported, errors: errorCount }, errors);
      });
    }
    const links = await this.db.tx(async (q) => {
      await markDone(q, id);
      // New or renamed officials: staff accounts known by name get their registry entry, so conflict-of-interest
      // checks recognise them from now on (in this transaction: the import is done only with its links made).
      const linked =
        kind === 'officials'
          ? await linkUsersFromRegistry(q, { actorId: principal.sub, actorRole: principal.role, via: 'registry_import', importId: id })
          : undefined;
      await appendAudit(q, {
        actorId: principal.sub,
        actorRole: principal.role,
        action: 'registry.import',
        objectType: 'registry_import',
        objectId: id,
        details: { kind, rows: rows.length, imported, errors: errorCount },
      });
      return linked;
    });
    this.log.info('registry import finished', {
      importId: id,
      kind,
      imported,
      errors: errorCount,
      ...(links ? { usersLinked: links.linked, usersRenamed: links.renamed, usersAmbiguous: links.ambiguous } : {}),
    });
  }

  /**
   * `has`: which of the optional columns (管理层级, 职级, 关键少数) the file has; a file without one leaves what is
   * already imported in that column as it is.
   */
  private async officials(
    q: Tx,
    batch: CsvRecord[],
    get: (r: CsvRecord, k: string) => string,
    errors: RowError[],
    has: { level: boolean; rank: boolean; key: boolean },
    by: { principal: Claims; importId: string },
  ): Promise<number> {
    const rows: {
      line: number;
      code: string;
      name: string;
      unitCode: string | null;
      unitName: string;
      position: string;
      township: string | null;
      level: ManagementLevel;
      idCard: string;
      rank: string;
      keyOfficial: boolean;
      district: string | null;
    }[] = [];
    const districts = new Map(
      (await q.query<{ code: string; name: string }>('SELECT code, name FROM districts')).rows.flatMap((d) => [
        [d.code, d.code],
        [d.name, d.code],
      ]),
    );
    const seen = new Set<string>();
    for (const r of batch) {
      const v = {
        code: get(r, 'code'),
        name: get(r, 'name'),
        unitCode: get(r, 'unitCode'),
        unitName: get(r, 'unitName'),
        position: get(r, 'position'),
        township: get(r, 'township'),
        level: get(r, 'level'),
        idCard: normaliseIdCard(get(r, 'idCard')),
        rank: get(r, 'rank'),
        keyOfficial: get(r, 'keyOfficial'),
        district: get(r, 'district'),
      };
      const keyText = v.keyOfficial.toLowerCase();
      const key = Object.hasOwn(KEY_OFFICIAL, keyText) ? KEY_OFFICIAL[keyText] : undefined;
      const township = v.township ? (this.rooms.get(v.township) ?? null) : null;
      const level = levelOf(v.level);
      const district = v.district ? (districts.get(v.district) ?? null) : null;
      const problem = !v.code
        ? ROW.missingCode
        : !v.name
          ? ROW.missingName
          : Object.values(v).some((x) => x.length > MAX_LEN)
            ? ROW.fieldTooLong(MAX_LEN)
            : v.township && !township
              ? ROW.unknownTownship
              : v.district && !district
                ? ROW.unknownDistrict
                : v.unitName && !v.unitCode
                  ? ROW.unitNameWithoutCode
                  : !level
                    ? ROW.badLevel
                    : v.idCard && !isValidIdCard(v.idCard)
                      ? ROW.badIdCard
                      : key === undefined
                        ? ROW.badKeyOfficial
                        : seen.has(v.code)
                          ? ROW.duplicateCode
                          : null;
      if (problem) {
        errors.push({ line: r.line, message: problem });
        continue;
      }
      seen.add(v.code);
      rows.push({ ...v, line: r.line, unitCode: v.unitCode || null, township, level: level!, keyOfficial: key!, district });
    }
    // An entry linked to a county account keeps its name, unit, position, township and level: the change waits for
    // a second person (held-changes.ts). Its other columns (the ID number) are still imported.
    const guarded = await guardedEntries(
      q,
      rows.map((r) => r.code),
    );
    const held: { code: string; proposed: HeldEntry }[] = [];
    for (const r of rows) {
      const current = guarded.get(r.code);
      if (!current) continue;
      const proposed: HeldEntry = {
        name: r.name,
        unitCode: r.unitCode,
        unitName: r.unitName || null,
        position: r.position,
        townshipCode: r.township,
        managementLevel: has.level ? r.level : null,
      };
      if (!changesGuarded(current, proposed)) continue;
      held.push({ code: r.code, proposed });
      errors.push({ line: r.line, message: ROW.held });
      Object.assign(r, {
        name: current.name,
        unitCode: current.unitCode,
        unitName: current.unitName ?? '',
        position: current.position,
        township: current.townshipCode,
        level: current.managementLevel ?? r.level,
      });
    }
    const units = new Map(
      rows.filter((r) => r.unitCode).map((r) => [r.unitCode!, { name: r.unitName || r.unitCode!, township: r.township, district: r.district }]),
    );
    if (units.size) {
      // A unit a guarded entry belongs to keeps its name too: renaming it would change that entry's standing.
      const keptNames = await guardedUnits(q, [...units.keys()]);
      for (const r of rows)
        if (r.unitCode && keptNames.has(r.unitCode) && r.unitName && r.unitName !== keptNames.get(r.unitCode) && !guarded.has(r.code))
          errors.push({ line: r.line, message: ROW.unitKept });
      for (const [code, name] of keptNames) units.get(code)!.name = name;
      await q.query(
        `INSERT INTO org_units (code, name, township_code, district_code) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, township_code = coalesce(excluded.township_code, org_units.township_code),
           district_code = coalesce(excluded.district_code, org_units.district_code)`,
        [[...units.keys()], [...units.values()].map((u) => u.name), [...units.values()].map((u) => u.township), [...units.values()].map((u) => u.district)],
      );
    }
    if (rows.length) {
      // Pinyin keys for the discipline-records query; an ID number sealed with its blind index, and a row without
      // one keeps the number already on file.
      const names = rows.map((r) => nameKeys(r.name));
      const ids = rows.map((r) => (r.idCard ? sealIdCard(personalDataKeys(this.db), r.code, r.idCard) : null));
      await q.query(
        `INSERT INTO officials (code, name, unit_code, position, township_code, management_level, name_pinyin, name_initials, id_card_ct, id_card_index, rank, key_official)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $8::text[], $9::text[], $10::bytea[], $11::bytea[], $12::text[], $14::boolean[])
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, unit_code = excluded.unit_code, position = excluded.position, township_code = excluded.township_code,
           management_level = CASE WHEN $7::boolean THEN excluded.management_level ELSE officials.management_level END,
           rank = CASE WHEN $13::boolean THEN excluded.rank ELSE officials.rank END,
           key_official = CASE WHEN $15::boolean THEN excluded.key_official ELSE officials.key_official END, name_pinyin = excluded.name_pinyin,
           name_initials = excluded.name_initials, id_card_ct = coalesce(excluded.id_card_ct, officials.id_card_ct), id_card_index = coalesce(excluded.id_card_index, officials.id_card_index), imported_at = now()`,
        [
          rows.map((r) => r.code),
          rows.map((r) => r.name),
          rows.map((r) => r.unitCode),
          rows.map((r) => r.position),
          rows.map((r) => r.township),
          rows.map((r) => r.level),
          has.level,
          names.map((n) => n.pinyin),
          names.map((n) => n.initials),
          ids.map((x) => x?.ct ?? null),
          ids.map((x) => x?.index ?? null),
          rows.map((r) => r.rank),
          has.rank,
          rows.map((r) => r.keyOfficial),
          has.key,
        ],
      );
      // The standing (a township's principal leader, its commission) is read from the position and unit (migration 0022).
      await q.query(
        'UPDATE officials o SET standing = vj_official_standing(o.position, (SELECT u.name FROM org_units u WHERE u.code = o.unit_code)) WHERE o.code = ANY($1::text[])',
        [rows.map((r) => r.code)],
      );
    }
    // Audited last: appendAudit holds the chain lock until the batch commits.
    for (const h of held) await holdChange(q, h.code, h.proposed, by.importId, by.principal);
    return rows.length - held.length;
  }

  private async discipline(q: Tx, batch: CsvRecord[], get: (r: CsvRecord, k: string) => string, errors: RowError[]): Promise<number> {
    const codes = [...new Set(batch.map((r) => get(r, 'official')).filter(Boolean))];
    const known = new Set((await q.query<{ code: string }>('SELECT code FROM officials WHERE code = ANY($1::text[])', [codes])).rows.map((r) => r.code));
    const rows: RecordInput[] = [];
    const seen = new Set<string>();
    for (const r of batch) {
      const v = {
        id: get(r, 'id'),
        official: get(r, 'official'),
        date: get(r, 'date'),
        kind: get(r, 'kind'),
        reason: get(r, 'reason'),
        authority: get(r, 'authority'),
        probation: get(r, 'probation'),
      };
      const sanction = sanctionOf(v.kind) ?? null;
      const probation = PROBATION[v.probation];
      const problem = !v.id
        ? ROW.missingRecordId
        : !v.official
          ? ROW.missingCode
          : !known.has(v.official)
            ? ROW.unknownOfficial
            : !isDate(v.date)
              ? ROW.badDate
              : !v.kind
                ? ROW.missingKind
                : !v.reason
                  ? ROW.missingReason
                  : Object.values(v).some((x) => x.length > MAX_LEN * 5)
                    ? ROW.fieldsTooLong
                    : probation === undefined
                      ? ROW.badProbation
                      : probation !== null && sanction !== 'party_probation'
                        ? ROW.probationOnlyForProbation
                        : seen.has(v.id)
                          ? ROW.duplicateRecordId
                          : null;
      if (problem) {
        errors.push({ line: r.line, message: problem });
        continue;
      }
      seen.add(v.id);
      // The wording is kept as written; the sanction it names (or none) is what the 影响期 is computed from.
      rows.push({
        id: v.id,
        officialCode: v.official,
        decidedOn: v.date,
        kind: v.kind,
        sanction,
        probationMonths: probation ?? null,
        authority: v.authority,
        reason: v.reason,
      });
    }
    await writeRecords(q, rows);
    return rows.length;
  }
}
