// Rebuilds the county master keys from escrow shares read on standard input (one per line, "share i/n: " optional).
// Usage: npm run keys:recover -- --out /etc/vj/master.keys   (then MASTER_KEY_FILE=/etc/vj/master.keys)
// The keys are checked against the database's key check values when DATABASE_URL/DATA_DIR reach it.
import fs from 'node:fs';
import { createLogger } from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import { loadConfig } from '../config.js';
import { DataDirInUse } from '../db/data-dir-lock.js';
import { openDatabase } from '../db/db.js';
import { recoverMasterKeys } from '../security/escrow.js';
import { loadSystemKeys } from '../security/system-keys.js';

async function main(): Promise<void> {
  const i = process.argv.indexOf('--out');
  const out = i > 0 ? process.argv[i + 1] : undefined;
  if (!out) throw new Error('usage: npm run keys:recover -- --out <file> < shares.txt');
  const input = fs.readFileSync(0, 'utf8');
  const master = await recoverMasterKeys(input.split('\n').map((l) => l.replace(/^share \d+\/\d+:\s*/, '')));
  const config = loadConfig();
  const log = createLogger('keys-recover', 'warn');
  // Recovery must work without a database (a lost server): the audit row is written when one is reachable. But an
  // embedded database held by the running service is there, and must not be skipped unaudited: that refusal stands.
  const db = await openDatabase(config, log).catch((err: unknown) => {
    if (err instanceof DataDirInUse) throw err;
    return undefined;
  });
  if (db) {
    try {
      db.integrity = (await loadSystemKeys(db, master, log, { create: false })).keys;
      await db.tx((q) => appendAudit(q, { actorId: null, actorRole: null, action: 'keys.recover', details: { versions: master.versions().join(',') } }));
    } finally {
      await db.close();
    }
  }
  fs.writeFileSync(out, `${master.exportSpec()}\n`, { mode: 0o600, flag: 'wx' });
  console.log(`recovered master keys v${master.versions().join(', v')} into ${out}${db ? ' (checked against the database and audited)' : ''}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
