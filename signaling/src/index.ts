export { loadConfig, ConfigError, type Config } from './config.js';
export { startServer, type RunningServer } from './server.js';
export { openDatabase, openEmbedded, openPostgres, type Db } from './db/db.js';
export { migrate, listMigrations } from './db/migrate.js';
export { KeyRing, ISSUER } from './security/jwt.js';
