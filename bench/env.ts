// Imported first by run.ts, before any test helper reads the environment: the signaling benchmark runs its
// nodes as separate processes, which need the real PostgreSQL and Redis (this machine's, unless set).
const only = process.argv[2];
if (!only || only === 'signaling' || only === 'submit-rate') {
  process.env['DATABASE_URL'] ??= 'postgres://postgres@127.0.0.1:5432/test';
  process.env['REDIS_URL'] ??= 'redis://127.0.0.1:6379';
}
