// The HTTP baseline of the submit-rate benchmark, in its own process like the real server: express with its JSON
// body parser, then the plain insert (plain-insert.ts). No authentication, validation, encryption or audit chain.
// Prints {"port": N} once listening.
import express from 'express';
import pg from 'pg';
import { plainInsert, type PlainBody } from './plain-insert.js';

// Idle connections kept 30 s, as the real server keeps its own (pg's default, 10 s, closed them between phases).
const pool = new pg.Pool({ connectionString: process.env['DATABASE_URL'], max: 10, idleTimeoutMillis: 30_000 });
const officerId = process.env['OFFICER_ID'] ?? '';
const app = express();
app.use(express.json({ limit: '1mb' }));
app.post('/plain', (req, res) => {
  plainInsert(pool, req.body as PlainBody, officerId).then(
    () => res.json({ ok: true }),
    (err: unknown) => res.status(500).json({ error: String(err) }),
  );
});
const server = app.listen(0, '127.0.0.1', () => {
  const a = server.address();
  console.log(JSON.stringify({ port: typeof a === 'object' && a ? a.port : 0 }));
});
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
