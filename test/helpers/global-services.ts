import { startPrivateServices } from './private-services.js';

/**
 * vitest globalSetup: the real PostgreSQL and Redis for the whole run, so `npm test` on a fresh clone with
 * nothing set runs the same suite as CI. DATABASE_URL / REDIS_URL, when set, are used as they are; whichever is
 * unset gets a private server (Debian's postgresql / redis-server on a free port, see private-services.ts).
 * The URLs go into process.env here, before vitest forks its workers, which inherit them; servers the tests
 * start get them from the helpers. VJ_TEST_DB=embedded opts out of the private PostgreSQL to run the
 * single-process tests on PGlite (the cluster helpers then refuse to start); CI (VJ_REQUIRE_SERVICES=1) may not.
 */
export default async function setup(): Promise<() => void> {
  const required = process.env['VJ_REQUIRE_SERVICES'] === '1';
  const embedded = process.env['VJ_TEST_DB'] === 'embedded';
  if (embedded && required) throw new Error('VJ_TEST_DB=embedded contradicts VJ_REQUIRE_SERVICES=1 (the run must use the real PostgreSQL)');
  if (embedded && process.env['DATABASE_URL']) throw new Error('VJ_TEST_DB=embedded and DATABASE_URL are both set: choose one database');
  const want = { postgres: !process.env['DATABASE_URL'] && !embedded, redis: !process.env['REDIS_URL'] };
  if (!want.postgres && !want.redis) return () => {};
  // No fallback: a server that does not start fails the run with the reason, whether or not services are required.
  const services = await startPrivateServices(want);
  const started: string[] = [];
  if (services.postgres) {
    process.env['DATABASE_URL'] = services.postgres.url;
    process.env['VJ_TEST_PGDATA'] = services.postgres.dataDir;
    started.push(`PostgreSQL on 127.0.0.1:${services.postgres.port}`);
  }
  if (services.redisUrl) {
    process.env['REDIS_URL'] = services.redisUrl;
    started.push(`redis-server on ${services.redisUrl.replace('redis://', '')}`);
  }
  console.log(`[test services] private ${started.join(' and ')} for this run; stopped and removed at its end`);
  return () => services.stop();
}
