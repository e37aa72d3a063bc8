export { loadConfig, ConfigError, type Config } from './config.js';
export { startServer, type RunningServer } from './server.js';
export { openDatabase, openEmbedded, openPostgres, type Db } from './db/db.js';
export { migrate, listMigrations } from './db/migrate.js';
export { KeyRing, ISSUER } from './security/jwt.js';
export { LocalRateLimiter, RedisRateLimiter, type RateLimiter } from './http/rate-limit.js';
export { LoginBackoff, LOGIN_BACKOFF } from './http/login-backoff.js';
export { IntegrityKeys, IntegrityError, KeyCheckError, loadSystemKeys } from './security/system-keys.js';
export { AuditCheckpoints } from './audit/checkpoints.js';
