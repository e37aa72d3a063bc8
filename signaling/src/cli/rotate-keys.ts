// Re-wraps every data key under the newest master key version. Add the new key first (VJ_MASTER_KEYS
// "1:old,2:new"), run this, then remove the old version once it reports nothing left under it.
import { createLogger } from '@vj/shared';
import { rewrapDataKeys } from '../security/rotate-keys.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/db.js';
import { loadOrCreateDemoSecrets } from '../security/demo-secrets.js';
import { loadMasterKeys } from '../server.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const demo = config.demo && !config.masterKeys && !config.masterKeyFile ? loadOrCreateDemoSecrets(config.dataDir, []) : undefined;
  const master = loadMasterKeys(config, demo);
  const db = await openDatabase(config, createLogger('rotate-keys', 'warn'));
  try {
    const n = await rewrapDataKeys(db, master, (done) => process.stdout.write(`\rre-wrapped ${done} data keys…`));
    console.log(`\nre-wrapped ${n} data keys under master key v${master.current}`);
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
