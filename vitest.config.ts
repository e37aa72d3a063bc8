import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{shared,shared/client,shared/rpc,sfu-server,signaling}/src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // Browser and media tests share two cores; running files one at a time keeps timings honest.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    // Private PostgreSQL and Redis for the run when DATABASE_URL / REDIS_URL are unset (a fresh clone's `npm test`).
    globalSetup: ['test/helpers/global-services.ts'],
  },
});
