// Writes the synthetic county of the discipline-records query (4 片区, ~600 units, ~57,000 people, 关键少数 and
// discipline records since Nov 2012) into the configured database: the same people for the same seed, so a
// demonstration or a load test can be repeated. Demo mode does this by itself in the background (DEMO_COUNTY);
// this is for a chosen size or seed, or a PostgreSQL demo database. Refused in production: nobody in it is real.
// Usage:
//   npm run county:generate -- [--size full|small] [--people N] [--records N] [--seed N]
import { createLogger } from '@vj/shared';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/db.js';
import { loadRooms, syncRooms } from '../db/seed.js';
import { migrate } from '../db/migrate.js';
import { writeCounty } from '../discipline/demo-county.js';
import { FULL_COUNTY, generateCounty, SMALL_COUNTY } from '../discipline/synthetic-county.js';
import { loadOrCreateDemoSecrets } from '../security/demo-secrets.js';
import { loadSystemKeys } from '../security/system-keys.js';
import { loadMasterKeys } from '../server.js';

const USAGE = 'usage: npm run county:generate -- [--size full|small] [--people N] [--records N] [--seed N]';

function options(args: string[]): { people: number; records: number; seed: number } {
  const o = { ...FULL_COUNTY, seed: 2026 };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1] ?? ''];
    const n = Number(value);
    if (flag === '--size' && (value === 'full' || value === 'small')) Object.assign(o, value === 'full' ? FULL_COUNTY : SMALL_COUNTY);
    else if (flag === '--people' && Number.isInteger(n) && n >= 100 && n <= 500_000) o.people = n;
    else if (flag === '--records' && Number.isInteger(n) && n >= 0 && n <= 500_000) o.records = n;
    else if (flag === '--seed' && Number.isInteger(n)) o.seed = n;
    else throw new Error(USAGE);
  }
  return o;
}

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  const config = loadConfig();
  if (!config.demo) throw new Error('the synthetic county is for demo mode only (VJ_MODE=demo): nobody in it is real');
  const log = createLogger('generate-county', 'warn');
  const db = await openDatabase(config, log);
  try {
    await migrate(db, log);
    // ID numbers are sealed with the personal-data key, which comes from the master key as at start-up.
    const demo = !config.masterKeys && !config.masterKeyFile ? loadOrCreateDemoSecrets(config.dataDir, []) : undefined;
    db.integrity = (await loadSystemKeys(db, loadMasterKeys(config, demo), log)).keys;
    const rooms = loadRooms(config.roomsFile).rooms;
    await syncRooms(db, rooms);
    const t0 = performance.now();
    const county = generateCounty(rooms, { people: o.people, records: o.records }, o.seed);
    console.log(
      `generated ${county.units.length} units, ${county.people.length} people (${county.people.filter((p) => p.keyOfficial).length} 关键少数), ${county.records.length} records (seed ${o.seed})`,
    );
    await writeCounty(db, county, (n) => console.log(`  people written: ${n} / ${county.people.length}`));
    console.log(`written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
