import { createLogger, type Logger } from '@vj/shared';
import { loadConfig, type Config } from '../config.js';
import { openDatabase, type Db } from '../db/db.js';
import { migrate } from '../db/migrate.js';
import { loadOrCreateDemoSecrets } from '../security/demo-secrets.js';
import { loadSystemKeys } from '../security/system-keys.js';
import { loadMasterKeys } from '../server.js';

/**
 * For a command that writes audited changes on the server host: the database migrated, with the audit chain's keys
 * loaded from the master key as at start-up (the chain is keyed, so without them nothing audited can happen). The
 * keys must already exist; the database is closed when `fn` ends, however it ends.
 */
export async function withKeyedDatabase<T>(name: string, fn: (db: Db, config: Config, log: Logger) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const log = createLogger(name, 'warn');
  const db = await openDatabase(config, log);
  try {
    await migrate(db, log);
    const demo = config.demo && !config.masterKeys && !config.masterKeyFile ? loadOrCreateDemoSecrets(config.dataDir, []) : undefined;
    db.integrity = (await loadSystemKeys(db, loadMasterKeys(config, demo), log, { create: false })).keys;
    return await fn(db, config, log);
  } finally {
    await db.close();
  }
}
