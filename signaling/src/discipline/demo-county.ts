import { errorFields, type Logger } from '@vj/shared';
import type { Db } from '../db/db.js';
import { FULL_COUNTY, generateCounty, SMALL_COUNTY, type County, type CountySize } from './synthetic-county.js';
import { writePeople, writeRecords, writeUnits } from './people-store.js';
import { personalDataKeys } from './person-data.js';
import { demoMonths, writeMonths } from './synthetic-months.js';

export type DemoCounty = 'full' | 'small' | 'off';
const SIZES: Record<Exclude<DemoCounty, 'off'>, CountySize> = { full: FULL_COUNTY, small: SMALL_COUNTY };
const BATCH = 2000;

/**
 * Writes a county in batches of 2,000, one transaction each, reporting people written every 10,000. Returns false
 * when `stopped` said so between batches.
 */
export async function writeCounty(db: Db, county: County, progress: (people: number) => void, stopped: () => boolean = () => false): Promise<boolean> {
  const keys = personalDataKeys(db);
  await db.tx((q) => writeUnits(q, county.units));
  for (let i = 0; i < county.people.length; i += BATCH) {
    if (stopped()) return false;
    await db.tx((q) => writePeople(q, keys, county.people.slice(i, i + BATCH)));
    if ((i / BATCH) % 5 === 4 || i + BATCH >= county.people.length) progress(Math.min(i + BATCH, county.people.length));
  }
  for (let i = 0; i < county.records.length; i += BATCH) {
    if (stopped()) return false;
    await db.tx((q) => writeRecords(q, county.records.slice(i, i + BATCH)));
  }
  return true;
}

/**
 * Demo mode: the synthetic county loads in the background after start (the console is usable at once; the query
 * finds more people as batches land), with progress in the log. A county already loaded to this size is left
 * as it is, so a restart costs one count. stop() ends it between batches at shutdown.
 */
export class DemoCountyLoader {
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
  ) {}

  start(size: DemoCounty, townships: readonly { code: string; name: string }[]): void {
    if (size === 'off') return;
    this.running = this.load(SIZES[size], townships).catch((err) => {
      if (!this.stopped) this.log.error('demo county not loaded', errorFields(err));
    });
  }

  /** Resolves when the load is done (tests and benchmarks wait on it). */
  async done(): Promise<void> {
    await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async load(size: CountySize, townships: readonly { code: string; name: string }[]): Promise<void> {
    const have = await this.db.query<{ n: string }>(`SELECT count(*) AS n FROM officials WHERE code LIKE 'RY-%'`);
    const t0 = performance.now();
    const county = generateCounty(townships, size);
    if (Number(have.rows[0]!.n) >= county.people.length) {
      // A county loaded before the archive's months were part of it gets them now.
      await this.loadMonths(county);
      return;
    }
    this.log.info('demo county loading', { units: county.units.length, people: county.people.length, records: county.records.length });
    const done = await writeCounty(
      this.db,
      county,
      (people) => this.log.info('demo county progress', { people, of: county.people.length }),
      () => this.stopped,
    );
    if (!done) return;
    const months = await this.loadMonths(county);
    this.log.info('demo county loaded', {
      people: county.people.length,
      records: county.records.length,
      months,
      seconds: Math.round((performance.now() - t0) / 100) / 10,
    });
  }

  /**
   * A year of 清廉档案 months for the key officials, as each 片区's 督查组 account entered (its member) and signed (its
   * leader, where it has one); a 片区 without an account gets none. Written once: a county with its months keeps them.
   */
  private async loadMonths(county: County): Promise<number> {
    const users = await this.db.query<{ id: string; role: string; district_code: string }>(
      `SELECT id, role, district_code FROM users WHERE district_code IS NOT NULL AND disabled_at IS NULL ORDER BY username`,
    );
    const team = new Map<string, { enteredBy: string; signedBy: string | null }>();
    for (const d of new Set(users.rows.map((u) => u.district_code))) {
      const of = users.rows.filter((u) => u.district_code === d);
      const member = of.find((u) => u.role === 'district_inspector') ?? of[0]!;
      team.set(d, { enteredBy: member.id, signedBy: of.find((u) => u.role === 'district_leader' && u.id !== member.id)?.id ?? null });
    }
    const plans = demoMonths(county);
    // A load cut off part-way is finished on the next start (a month already there is left as it is).
    const have = await this.db.query<{ n: string }>(`SELECT count(*) AS n FROM archive_months WHERE official_code LIKE 'RY-%'`);
    if (Number(have.rows[0]!.n) >= plans.length) return 0;
    const keys = personalDataKeys(this.db);
    let written = 0;
    for (let i = 0; i < plans.length; i += BATCH) {
      if (this.stopped) return written;
      written += await this.db.tx((q) => writeMonths(q, keys, plans.slice(i, i + BATCH), team));
    }
    return written;
  }
}
