import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { AppError, errorFields, type Logger } from '@vj/shared';
import type { IntegrityKeyring } from '../security/system-keys.js';

export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** A Queryable inside an open transaction: what must happen atomically (an audit row with its change) takes one. */
export interface Tx extends Queryable {
  readonly inTransaction: true;
  /** The keys audited writes chain with; absent until loaded at start-up, and then no audited write succeeds. */
  readonly integrity: IntegrityKeyring | undefined;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs fn in one transaction; everything it writes (the audit row included) commits or none of it does. */
  tx<T>(fn: (q: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Integrity keys for keyed chains and seals (set once at start-up, after the master keys are checked). */
  integrity: IntegrityKeyring | undefined;
}

// SQLSTATE classes that mean "the database is not reachable right now", as opposed to a bad query.
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300', 'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE']);

function isConnectionFailure(err: unknown): boolean {
  if (err instanceof AppError) return false;
  const code = (err as { code?: string } | undefined)?.code;
  const msg = err instanceof Error ? err.message : '';
  return (code !== undefined && UNAVAILABLE_CODES.has(code)) || /Connection terminated|not queryable|timeout exceeded when trying to connect|connect ECONNREFUSED|ENOENT/i.test(msg);
}

function translate(err: unknown): unknown {
  return isConnectionFailure(err) ? new AppError('UNAVAILABLE', 'database unavailable, try again') : err;
}

// Set while a transaction callback runs. Querying the pool from inside one would read outside the
// transaction, and on PGlite (one connection) wait forever for the connection the transaction holds.
const inTransaction = new AsyncLocalStorage<true>();

function assertNotInTransaction(): void {
  if (inTransaction.getStore()) throw new Error('db.query()/db.tx() called inside a transaction: use the transaction handle');
}

class PoolDb implements Db {
  integrity: IntegrityKeyring | undefined;

  constructor(
    readonly kind: 'pglite' | 'postgres',
    private readonly pool: pg.Pool,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {}

  private async connect(): Promise<pg.PoolClient> {
    // PGlite serves one connection; a replacement may race the old one's close, so give it a moment.
    const attempts = this.kind === 'pglite' ? 5 : 1;
    for (let i = 1; ; i++) {
      try {
        return await this.pool.connect();
      } catch (err) {
        if (i >= attempts) throw translate(err);
        await new Promise((r) => setTimeout(r, 20 * i));
      }
    }
  }

  // pg's pool.query() throws a client away on any error. A constraint, a raised exception or a failure in our
  // own code leaves the connection healthy, and PGlite takes one connection, so only broken ones are dropped.
  private release(client: pg.PoolClient, err?: unknown): void {
    client.release(isConnectionFailure(err) ? (err as Error) : undefined);
  }

  async query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>> {
    assertNotInTransaction();
    const client = await this.connect();
    try {
      const r = await client.query<R>(sql, params);
      this.release(client);
      return r;
    } catch (err) {
      this.release(client, err);
      throw translate(err);
    }
  }

  async tx<T>(fn: (q: Tx) => Promise<T>): Promise<T> {
    assertNotInTransaction();
    const client = await this.connect();
    let failure: unknown;
    try {
      await client.query('BEGIN');
      const result = await inTransaction.run(true, () => fn({ inTransaction: true, integrity: this.integrity, query: (sql, params) => client.query(sql, params) }));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      failure = err;
      await client.query('ROLLBACK').catch((rollbackErr: unknown) => (failure = rollbackErr));
      throw translate(err);
    } finally {
      this.release(client, failure);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
    await this.onClose();
  }
}

export async function openPostgres(url: string, log: Logger): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30000 });
  pool.on('error', (err) => log.warn('idle database connection failed', errorFields(err)));
  // A connection that breaks while checked out (a server restart mid-transaction) also emits "error"; the
  // query in flight fails with it (503), and nothing may crash the process.
  pool.on('connect', (client) => client.on('error', (err) => log.warn('database connection failed in use', errorFields(err))));
  const db = new PoolDb('postgres', pool);
  await db.query('SELECT 1');
  return db;
}

/**
 * The embedded default: PGlite (PostgreSQL compiled to WASM) in this process, served over the PostgreSQL wire
 * protocol on a private unix socket so the same `pg` driver and SQL serve both. PGlite takes one connection.
 */
export async function openEmbedded(dataDir: string, log: Logger): Promise<Db> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  fs.mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create({ dataDir });
  // Unix socket paths are limited to ~107 bytes, so the socket lives in a short private temp dir.
  const sockDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vj-pg-'));
  fs.chmodSync(sockDir, 0o700);
  const server = new PGLiteSocketServer({ db: pglite, path: path.join(sockDir, '.s.PGSQL.5432'), maxConnections: 1 });
  await server.start();
  const pool = new pg.Pool({ host: sockDir, port: 5432, user: 'postgres', database: 'postgres', max: 1, idleTimeoutMillis: 0 });
  pool.on('error', (err) => log.warn('embedded database connection failed', errorFields(err)));
  const db = new PoolDb('pglite', pool, async () => {
    await server.stop();
    await pglite.close();
    fs.rmSync(sockDir, { recursive: true, force: true });
  });
  await db.query('SELECT 1');
  return db;
}

export function openDatabase(opts: { databaseUrl: string | undefined; dataDir: string }, log: Logger): Promise<Db> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, log) : openEmbedded(path.join(opts.dataDir, 'pglite'), log);
}
