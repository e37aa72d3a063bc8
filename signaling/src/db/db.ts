import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { AppError, errorFields, type Logger, ERROR_MESSAGES } from '@vj/shared';
import type { IntegrityKeyring } from '../security/system-keys.js';
import { StorageGuard, isDiskFullError, storageFullError, type StorageWatch } from '../storage-guard.js';
import { lockDataDir } from './data-dir-lock.js';
import { EmbeddedEngine } from './engine.js';

const STORAGE_CHECK_MS = 2000;

export interface QueryOptions {
  /**
   * Runs the statement as a server-side prepared statement of this name, parsed and planned once per connection,
   * for a hot statement whose planning costs more than running it. On PostgreSQL it goes to the connections kept
   * for prepared statements, where the server keeps one generic plan for it from the first run (see `openPostgres`).
   * Each name must always carry the same SQL text, and its plan must not depend on the parameters' values.
   */
  prepare?: string;
  /**
   * Runs on the one connection kept for the writer that sends a single statement at a time (intake's audited
   * statement), not on any pooled one, where its prepared shapes are planned once. Spread over a pool of ten, each
   * shape was planned about fifty times, and every planning held the statement in flight, so every submit behind
   * it, for tens of milliseconds. The embedded engine has one connection anyway, so there it is the pool's.
   */
  ownConnection?: true;
}

export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[], opts?: QueryOptions): Promise<pg.QueryResult<R>>;
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
  /** DATA_DIR's free space against its reserve, and any disk-full error: health's storage reason. */
  readonly storage: StorageWatch;
  /** Whether the database answers a trivial query within timeoutMs; never waits longer (health). */
  ping(timeoutMs: number): Promise<boolean>;
}

// SQLSTATE classes that mean "the database is not reachable right now", as opposed to a bad query.
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300', 'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE']);

/**
 * A statement that outlived DB_QUERY_TIMEOUT_MS, or stalled on a full disk: its connection is dropped (and an
 * embedded engine replaced).
 */
class StatementTimeout extends Error {
  override readonly name = 'StatementTimeout';
  constructor(readonly diskFull: boolean) {
    super(diskFull ? 'statement stalled on a full disk' : 'statement timed out');
  }
}

function isConnectionFailure(err: unknown): boolean {
  if (err instanceof AppError) return false;
  if (err instanceof StatementTimeout) return true;
  const code = (err as { code?: string } | undefined)?.code;
  const msg = err instanceof Error ? err.message : '';
  return (
    (code !== undefined && UNAVAILABLE_CODES.has(code)) ||
    /Connection terminated|not queryable|timeout exceeded when trying to connect|connect ECONNREFUSED|ENOENT/i.test(msg)
  );
}

const dbUnavailable = () => new AppError('UNAVAILABLE', ERROR_MESSAGES.storage.dbUnavailable);

// Statements that only read: everything else (and a read that locks or draws a sequence) is a write, refused
// up front while the embedded engine's disk is below its reserve.
const READ_ONLY = /^\s*(SELECT|SHOW|EXPLAIN)\b/i;
const WRITES_ANYWAY = /\b(INSERT|UPDATE|DELETE|MERGE|nextval|setval)\b/i;
const isWrite = (sql: string) => !READ_ONLY.test(sql) || WRITES_ANYWAY.test(sql);

/** How long a request waits for an embedded engine being reopened before it is answered with an error. */
const ENGINE_WAIT_MS = 2000;
/** A statement still running after this long while DATA_DIR is nearly full is taken for a stalled write. */
const STALL_MS = 1500;
/** Below this, PGlite cannot start a new WAL segment (16 MB): a write that needs one stalls. */
const STALL_FREE_BYTES = 17 * 1024 * 1024;

// Set while a transaction callback runs. Querying the pool from inside one would read outside the
// transaction, and on PGlite (one connection) wait forever for the connection the transaction holds.
const inTransaction = new AsyncLocalStorage<true>();

function assertNotInTransaction(): void {
  if (inTransaction.getStore()) throw new Error('db.query()/db.tx() called inside a transaction: use the transaction handle');
}

/** A prepared statement's name goes with its text to the driver, which parses it once per connection. */
function send<R extends pg.QueryResultRow>(client: pg.PoolClient, sql: string, params: unknown[] | undefined, opts: QueryOptions | undefined) {
  return opts?.prepare ? client.query<R>({ name: opts.prepare, text: sql, values: params ?? [] }) : client.query<R>(sql, params);
}

interface PoolDbParts {
  storage: StorageGuard;
  /** The pool of one connection for `ownConnection` statements; without it they go to the main pool. */
  own?: pg.Pool;
  /** The pool for `prepare`d statements, planned once (generic plans); without it they go to the main pool. */
  prepared?: pg.Pool;
  /** Set for the embedded engine, whose files are in DATA_DIR: writes wait for space instead of failing in it. */
  writeGuard?: StorageGuard;
  engine?: EmbeddedEngine;
  /** Gives up the embedded data directory's lock (data-dir-lock.ts) once the engine is closed. */
  unlock?: () => void;
  queryTimeoutMs: number;
}

class PoolDb implements Db {
  integrity: IntegrityKeyring | undefined;
  readonly storage: StorageWatch;
  private readonly guard: StorageGuard;

  constructor(
    readonly kind: 'pglite' | 'postgres',
    private readonly pool: pg.Pool,
    private readonly parts: PoolDbParts,
  ) {
    this.storage = parts.storage;
    this.guard = parts.storage;
  }

  private async connect(opts?: QueryOptions): Promise<pg.PoolClient> {
    const { engine } = this.parts;
    const pool = (opts?.ownConnection && this.parts.own) || (opts?.prepare && this.parts.prepared) || this.pool;
    if (engine && engine.state !== 'up' && !(await engine.waitUp(ENGINE_WAIT_MS))) throw this.engineDown();
    // PGlite serves one connection; a replacement may race the old one's close, so give it a moment.
    const attempts = this.kind === 'pglite' ? 5 : 1;
    for (let i = 1; ; i++) {
      try {
        return await pool.connect();
      } catch (err) {
        if (i >= attempts) throw this.translate(err);
        await new Promise((r) => setTimeout(r, 20 * i));
      }
    }
  }

  /** While the embedded engine is being reopened: its disk is full, or it is on its way back. */
  private engineDown(): AppError {
    return this.guard.knownFull() ? storageFullError() : new AppError('UNAVAILABLE', ERROR_MESSAGES.storage.dbRecovering);
  }

  private translate(err: unknown): unknown {
    if (err instanceof AppError) return err;
    if (isDiskFullError(err)) {
      this.guard.noteDiskFull(this.kind === 'pglite' ? 'data_dir' : 'database');
      return storageFullError();
    }
    // The server stopped a statement at its statement_timeout (openPostgres): the connection is fine.
    if ((err as { code?: string } | undefined)?.code === '57014') return new AppError('UNAVAILABLE', ERROR_MESSAGES.storage.dbSlow);
    if (!isConnectionFailure(err)) return err;
    if ((err instanceof StatementTimeout && err.diskFull) || (this.parts.engine && this.guard.knownFull())) return storageFullError();
    return err instanceof StatementTimeout ? new AppError('UNAVAILABLE', ERROR_MESSAGES.storage.dbSlow) : dbUnavailable();
  }

  /**
   * One statement with a deadline. Past it the caller gets UNAVAILABLE instead of waiting forever, the connection
   * is dropped, and an embedded engine is replaced: a statement that long is one it will never finish. PGlite
   * does not fail a WAL write that meets a full disk, it stops; so a statement still running after STALL_MS
   * while DATA_DIR is nearly full is taken for that, and answered STORAGE_FULL at once.
   */
  private timed<T>(run: Promise<T>): Promise<T> {
    // eslint-disable-next-line no-restricted-syntax -- answered by the timeout; its own failure comes later, when the connection drops
    run.catch(() => {});
    const { engine, queryTimeoutMs } = this.parts;
    let timer: NodeJS.Timeout | undefined;
    let stallTimer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        engine?.fail('statement timeout');
        reject(new StatementTimeout(false));
      }, queryTimeoutMs);
      if (!engine) return;
      const checkStall = async () => {
        const free = await this.guard.freeBytes(0);
        if (free !== null && free < STALL_FREE_BYTES) {
          this.guard.noteDiskFull('data_dir');
          engine.fail('disk full');
          reject(new StatementTimeout(true));
        } else {
          stallTimer = setTimeout(() => void checkStall(), STALL_MS);
        }
      };
      stallTimer = setTimeout(() => void checkStall(), STALL_MS);
    });
    return Promise.race([run, deadline]).finally(() => {
      clearTimeout(timer);
      clearTimeout(stallTimer);
    });
  }

  // pg's pool.query() throws a client away on any error. A constraint, a raised exception or a failure in our
  // own code leaves the connection healthy, and PGlite takes one connection, so only broken ones are dropped.
  private release(client: pg.PoolClient, err?: unknown): void {
    client.release(isConnectionFailure(err) ? (err as Error) : undefined);
  }

  async query<R extends pg.QueryResultRow>(sql: string, params?: unknown[], opts?: QueryOptions): Promise<pg.QueryResult<R>> {
    assertNotInTransaction();
    const write = isWrite(sql);
    if (write) await this.parts.writeGuard?.assertWritable();
    const client = await this.connect(opts);
    try {
      const r = await this.timed(send<R>(client, sql, params, opts));
      this.release(client);
      if (write) this.guard.noteWriteOk();
      return r;
    } catch (err) {
      this.release(client, err);
      throw this.translate(err);
    }
  }

  async tx<T>(fn: (q: Tx) => Promise<T>): Promise<T> {
    assertNotInTransaction();
    await this.parts.writeGuard?.assertWritable();
    const client = await this.connect();
    const run = <R extends pg.QueryResultRow>(sql: string, params?: unknown[], opts?: QueryOptions) => this.timed(send<R>(client, sql, params, opts));
    let failure: unknown;
    try {
      await run('BEGIN');
      const result = await inTransaction.run(true, () => fn({ inTransaction: true, integrity: this.integrity, query: run }));
      await run('COMMIT');
      this.guard.noteWriteOk();
      return result;
    } catch (err) {
      failure = err;
      // A dropped connection rolls back by itself; asking a stuck engine to would wait for it.
      if (!isConnectionFailure(err)) await run('ROLLBACK').catch((rollbackErr: unknown) => (failure = rollbackErr));
      throw this.translate(err);
    } finally {
      this.release(client, failure);
    }
  }

  async ping(timeoutMs: number): Promise<boolean> {
    const { engine } = this.parts;
    if (engine && engine.state !== 'up') return false;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
    // eslint-disable-next-line no-restricted-syntax -- the failure is the answer: the database did not answer the ping
    const answered = this.query('SELECT 1').then(
      () => true,
      () => false,
    );
    return Promise.race([answered, late]).finally(() => clearTimeout(timer));
  }

  async close(): Promise<void> {
    this.guard.close();
    const { engine, own, prepared } = this.parts;
    if (!engine) {
      await Promise.all([this.pool.end(), own?.end(), prepared?.end()]);
      return;
    }
    // The pool ends once its connection is back; a statement stuck in the engine would hold it forever, so the
    // engine is closed (terminated if it does not close in time) after a short wait, which drops the connection.
    const ended = this.pool.end();
    // eslint-disable-next-line no-restricted-syntax -- the engine is closed (terminated if it does not close in time) after a short wait, which drops the connection
    ended.catch(() => {});
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());
    await Promise.race([ended, wait(2000)]);
    await engine.close();
    this.parts.unlock?.();
    await Promise.race([ended, wait(2000)]);
  }
}

export interface DbOptions {
  /** DATA_DIR's free-space watch; without one, nothing is refused up front (CLI tools, tests). */
  storage?: StorageGuard;
  /** A statement taking longer fails with UNAVAILABLE (and the embedded engine is reopened). */
  queryTimeoutMs?: number;
}

const DEFAULT_QUERY_TIMEOUT_MS = 30_000;
/** TCP keepalive's first probe on a quiet database connection. */
const KEEPALIVE_MS = 60_000;
/** The intake connection (`ownConnection`) and the prepared-statement connections close after this long unused. */
const OWN_IDLE_MS = 10 * 60_000;
/** Connections for prepared statements: short, hot reads (the session check, intake's leadership check). */
const PREPARED_CONNECTIONS = 4;

export async function openPostgres(url: string, log: Logger, opts: DbOptions = {}): Promise<Db> {
  const timeoutMs = opts.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  // The server stops a statement a little before this process gives up on it. Without that, a statement the
  // caller was told had failed (503) went on running, held its row locks, and could still commit.
  const serverTimeoutMs = Math.max(500, timeoutMs - Math.min(1000, Math.floor(timeoutMs / 10)));
  const poolOf = (max: number, idleTimeoutMillis: number, genericPlans = false) => {
    const p = new pg.Pool({
      connectionString: url,
      max,
      // Set once the connection is made, not in its start-up options: a DATABASE_URL carrying its own `options`
      // would replace those.
      ...(genericPlans ? { onConnect: async (client: pg.ClientBase) => void (await client.query('SET plan_cache_mode = force_generic_plan')) } : {}),
      connectionTimeoutMillis: Math.min(5000, timeoutMs),
      idleTimeoutMillis,
      // A firewall between here and the database may drop a quiet connection without a word; probed, such a
      // connection fails (and is replaced) instead of holding the next statement until its timeout.
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_MS,
      statement_timeout: serverTimeoutMs,
    });
    p.on('error', (err) => log.warn('idle database connection failed', errorFields(err)));
    // A connection that breaks while checked out (a server restart mid-transaction) also emits "error"; the
    // query in flight fails with it (503), and nothing may crash the process.
    p.on('connect', (client) => client.on('error', (err) => log.warn('database connection failed in use', errorFields(err))));
    return p;
  };
  const pool = poolOf(10, 30000);
  // Prepared statements run on connections that plan each of them once, generically. Left to itself ("auto"), the
  // server plans a prepared statement afresh on every run for as long as the generic plan looks dearer than a
  // custom one, and for a statement over unnest() of its array parameters it always does (100 rows assumed per
  // array against the real 1-3): the leadership check at intake was planned on each of 2,120 runs, 1.6 ms of
  // planning against 1.1 ms of running, most of PostgreSQL's CPU per submit. Only these connections: an ordinary
  // parameterised statement still gets a plan for its values. Kept open while in use, so the plans last.
  const prepared = poolOf(PREPARED_CONNECTIONS, OWN_IDLE_MS, true);
  // Kept open while in use, so its prepared plans last; closed after a quiet spell (planned again on the next run).
  const own = poolOf(1, OWN_IDLE_MS, true);
  // The database's own disk is not DATA_DIR: its disk-full errors (53100) still answer STORAGE_FULL and show in
  // health, but the reserve check is only for the embedded engine.
  const storage = opts.storage ?? new StorageGuard(os.tmpdir(), 0, log);
  const db = new PoolDb('postgres', pool, { storage, own, prepared, queryTimeoutMs: timeoutMs });
  await db.query('SELECT 1');
  return db;
}

/**
 * The embedded default: PGlite (PostgreSQL compiled to WASM) in a worker thread (engine.ts), served over the
 * PostgreSQL wire protocol on a private unix socket so the same `pg` driver and SQL serve both. PGlite takes
 * one connection.
 */
export async function openEmbedded(dataDir: string, log: Logger, opts: DbOptions = {}): Promise<Db> {
  const timeoutMs = opts.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  fs.mkdirSync(dataDir, { recursive: true });
  // Before anything opens the files: a second process on them is refused (a running service and a tool).
  const unlock = lockDataDir(dataDir);
  const storage = opts.storage ?? new StorageGuard(dataDir, 0, log);
  // Unix socket paths are limited to ~107 bytes, so the socket lives in a short private temp dir.
  const sockDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vj-pg-'));
  fs.chmodSync(sockDir, 0o700);
  const engine = new EmbeddedEngine(dataDir, sockDir, storage, log);
  try {
    await engine.start();
  } catch (err) {
    await engine.close();
    unlock();
    throw err;
  }
  // A request waits for the one connection at most as long as a statement may run.
  const pool = new pg.Pool({
    host: sockDir,
    port: 5432,
    user: 'postgres',
    database: 'postgres',
    max: 1,
    idleTimeoutMillis: 0,
    connectionTimeoutMillis: timeoutMs,
    // PGlite has one session, which outlives a dropped connection when the engine is not replaced: the prepared
    // statements the old connection made are still there, and a new one (which knows none) would meet 42P05
    // "already exists" on each. Cleared before the pool hands the connection out; if that fails, the connection is
    // closed and the request fails (and is tried again), never handed out with the old statements.
    onConnect: async (client) => void (await client.query('DEALLOCATE ALL')),
  });
  pool.on('error', (err) => log.warn('embedded database connection failed', errorFields(err)));
  // Replacing the engine drops the connection under a statement in flight: that statement fails (503), and the
  // connection's "error" event must not crash the process.
  pool.on('connect', (client) => client.on('error', (err) => log.warn('embedded database connection failed in use', errorFields(err))));
  const db = new PoolDb('pglite', pool, { storage, writeGuard: storage, engine, unlock, queryTimeoutMs: timeoutMs });
  try {
    await db.query('SELECT 1');
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

export interface DatabaseConfig {
  databaseUrl: string | undefined;
  dataDir: string;
  /** Free space DATA_DIR keeps: below it, embedded-database writes are refused with STORAGE_FULL. */
  diskReserveMb?: number;
  dbQueryTimeoutMs?: number;
}

export function openDatabase(opts: DatabaseConfig, log: Logger): Promise<Db> {
  const storage = new StorageGuard(opts.dataDir, (opts.diskReserveMb ?? 0) * 1024 * 1024, log.child('storage'));
  // Watched on a timer too, so the log shows when space ran out and when it came back, even with no traffic.
  storage.start(STORAGE_CHECK_MS);
  const dbOpts: DbOptions = { storage, ...(opts.dbQueryTimeoutMs ? { queryTimeoutMs: opts.dbQueryTimeoutMs } : {}) };
  const opened = opts.databaseUrl ? openPostgres(opts.databaseUrl, log, dbOpts) : openEmbedded(path.join(opts.dataDir, 'pglite'), log, dbOpts);
  return opened.catch((err: unknown) => {
    storage.close();
    throw err;
  });
}
