// Splits the configured county master keys into k-of-n escrow shares, one line each, for n custodians.
// Usage: npm run keys:split -- --shares 5 --threshold 3
// Give each line to a different custodian (printed, sealed envelope, safe). Any `threshold` of them rebuild the
// keys with `npm run keys:recover`; fewer reveal nothing. The split is audited (counts only).
import { createLogger } from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/db.js';
import { loadMasterKeys } from '../server.js';
import { loadDemoSecretsIfAny } from '../security/demo-secrets.js';
import { splitMasterKeys } from '../security/escrow.js';
import { loadSystemKeys } from '../security/system-keys.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const shares = arg('shares', 5);
  const threshold = arg('threshold', 3);
  const config = loadConfig();
  const log = createLogger('keys-split', 'warn');
  const master = loadMasterKeys(config, loadDemoSecretsIfAny(config));
  const lines = await splitMasterKeys(master, shares, threshold);
  const db = await openDatabase(config, log);
  try {
    db.integrity = (await loadSystemKeys(db, master, log, { create: false })).keys;
    await db.tx((q) =>
      appendAudit(q, { actorId: null, actorRole: null, action: 'keys.split', details: { shares, threshold, versions: master.versions().join(',') } }),
    );
  } finally {
    await db.close();
  }
  console.error(`master keys v${master.versions().join(', v')} split into ${shares} shares; any ${threshold} recover them:`);
  for (const [i, l] of lines.entries()) console.log(`share ${i + 1}/${shares}: ${l}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
