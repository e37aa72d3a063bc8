// Re-wraps every data key and system key under the newest master key version. Add the new key first
// (VJ_MASTER_KEYS "1:old,2:new"), run this, then remove the old version once it reports nothing left under it.
import { createLogger } from '@vj/shared';
import { rewrapDataKeys } from '../security/rotate-keys.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/db.js';
import { loadDemoSecretsIfAny } from '../security/demo-secrets.js';
import { loadSystemKeys } from '../security/system-keys.js';
import { loadMasterKeys } from '../server.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('rotate-keys', 'warn');
  const master = loadMasterKeys(config, loadDemoSecretsIfAny(config));
  const db = await openDatabase(config, log);
  try {
    // Audit rows are keyed: the keys must open under the configured master keys before anything is written.
    db.integrity = (await loadSystemKeys(db, master, log, { create: false })).keys;
    const n = await rewrapDataKeys(db, master, (done) => process.stdout.write(`\rre-wrapped ${done} keys…`));
    console.log(`\nre-wrapped ${n} keys under master key v${master.current}; older versions can now be removed from the configuration`);
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
