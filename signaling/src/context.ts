import type { Logger, SfuApi } from '@vj/shared';
import type { Config } from './config.js';
import type { Db } from './db/db.js';
import type { RateLimiter } from './http/rate-limit.js';
import type { Presence } from './presence/presence.js';
import type { KeyRing } from './security/jwt.js';
import type { CallService } from './sessions/call-service.js';

/** What route and event handlers may use; built once at start-up. */
export interface AppContext {
  config: Config;
  log: Logger;
  db: Db;
  keys: KeyRing;
  sfu: SfuApi & { readonly workerCount: number };
  presence: Presence;
  rateLimiter: RateLimiter;
  calls: CallService;
  version: string;
}
