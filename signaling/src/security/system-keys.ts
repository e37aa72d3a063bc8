import { AppError, type Logger, ERROR_MESSAGES } from '@vj/shared';
import type { Db, Queryable } from '../db/db.js';
import { DEFAULT_SUITE, ENVELOPE_FORMAT, MasterKeys, deriveKey, macEqual, newRootKey, type SuiteId } from './crypto.js';

/**
 * The keys behind keyed integrity, derived from one random root (HKDF, one subkey per purpose), plus the
 * receipt-PIN key. Both are stored only wrapped by the county master key (table system_keys): someone holding
 * the database alone cannot re-chain the audit log, forge a recording chain or an identity seal, or search PINs.
 */
export type IntegrityPurpose =
  | 'audit-chain'
  | 'recording-chain'
  | 'identity-seal'
  | 'audit-checkpoint'
  | 'receipt-pin-verifier'
  | 'request-digest'
  | 'audit-export'
  | 'recovery-code'
  | 'login-challenge'
  // 身份证号 in the people registry (issue 17): the key that seals it and the key of its blind index.
  | 'person-data'
  | 'person-id-index';

/** What code that seals or verifies needs of the keys (structural, so test and bench builds can share it). */
export interface IntegrityKeyring {
  readonly suite: SuiteId;
  readonly pinDigits: Buffer;
  key(purpose: IntegrityPurpose, suite?: SuiteId): Buffer;
}

export class IntegrityKeys implements IntegrityKeyring {
  private readonly cache = new Map<string, Buffer>();

  constructor(
    /** The suite new links, seals and verifiers are made with; older data names its own. */
    readonly suite: SuiteId,
    private readonly root: Buffer,
    /** Derives receipt PINs from petition ids, so a retried submission gets the same PIN back. */
    readonly pinDigits: Buffer,
  ) {}

  /** The subkey for one purpose under one suite (each suite derives with its own hash). */
  key(purpose: IntegrityPurpose, suite: SuiteId = this.suite): Buffer {
    const id = `${suite}:${purpose}`;
    let k = this.cache.get(id);
    if (!k) this.cache.set(id, (k = deriveKey(suite, this.root, purpose)));
    return k;
  }

  /** Throwaway keys for unit tests that build services by hand. */
  static ephemeral(suite: SuiteId = DEFAULT_SUITE): IntegrityKeys {
    return new IntegrityKeys(suite, newRootKey(), newRootKey());
  }
}

/** Refusal to start: the configured keys do not fit the data. The message says what to fix. */
export class KeyCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyCheckError';
  }
}

/** Raised when stored data fails its integrity check; callers turn it into an alert and an INTEGRITY error. */
export class IntegrityError extends AppError {
  constructor(
    readonly what: string,
    readonly objectId: string,
  ) {
    super('INTEGRITY', ERROR_MESSAGES.storage.integrity);
    this.name = 'IntegrityError';
  }
}

const ROOT = 'integrity-root';
const PIN = 'receipt-pin';

/**
 * Every configured master key version must match the check value registered at its first use, and every
 * version that still wraps a key must be configured. New versions are registered here.
 */
async function checkMasterKeys(db: Queryable, master: MasterKeys): Promise<void> {
  const known = new Map((await db.query<{ version: number; kcv: Buffer }>('SELECT version, kcv FROM master_key_checks')).rows.map((r) => [r.version, r.kcv]));
  for (const v of master.versions()) {
    const kcv = master.checkValue(v);
    const stored = known.get(v);
    if (stored && !macEqual(stored, kcv)) {
      throw new KeyCheckError(
        `master key v${v} does not match the key check value registered for v${v}: this is not the key the data was sealed with (主密钥 v${v} 与登记的校验值不符，拒绝启动)`,
      );
    }
    if (!stored) await db.query('INSERT INTO master_key_checks (version, kcv) VALUES ($1, $2) ON CONFLICT (version) DO NOTHING', [v, kcv]);
  }
  const used = await db.query<{ v: number }>('SELECT DISTINCT kek_version AS v FROM data_keys UNION SELECT DISTINCT kek_version FROM system_keys');
  const missing = used.rows.map((r) => r.v).filter((v) => !master.has(v));
  if (missing.length) {
    throw new KeyCheckError(
      `keys are still wrapped under master key version(s) ${missing.join(', ')}, which are not configured: put them back and run \`npm run keys:rotate\` before removing them`,
    );
  }
}

/** Has anything been sealed with keys that should already exist? Then a missing key is tampering, not a first start. */
async function keyedDataExists(db: Queryable): Promise<boolean> {
  const r = await db.query<{ n: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM audit_log WHERE suite <> 'legacy')
         OR EXISTS (SELECT 1 FROM recordings WHERE chain_suite <> 'legacy')
         OR EXISTS (SELECT 1 FROM petitions WHERE identity_mac IS NOT NULL) AS n`,
  );
  return r.rows[0]?.n === true;
}

async function readKey(db: Queryable, master: MasterKeys, name: string): Promise<Buffer | undefined> {
  const r = await db.query<{ wrapped: Buffer; kek_version: number }>('SELECT wrapped, kek_version FROM system_keys WHERE name = $1', [name]);
  const row = r.rows[0];
  if (!row) return undefined;
  try {
    return master.unwrap(row.wrapped, row.kek_version, name, 'system_keys');
  } catch {
    throw new KeyCheckError(`system key "${name}" does not open with master key v${row.kek_version} (altered, or sealed under another key)`);
  }
}

async function createKey(db: Queryable, master: MasterKeys, name: string, value: Buffer): Promise<void> {
  const { wrapped, kekVersion } = master.wrap(value, name, 'system_keys');
  // Two nodes starting together: the first insert wins, and both read it back.
  await db.query('INSERT INTO system_keys (name, wrapped, kek_version) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING', [name, wrapped, kekVersion]);
}

export interface LoadedKeys {
  keys: IntegrityKeyring;
  /** True when this start created the integrity root: data from before it gets its seals now, once. */
  created: boolean;
}

/**
 * Checks the master keys and loads (or, on the first start of an install or of this version, creates) the
 * system keys. With `create: false` (CLI tools) nothing is written.
 */
export async function loadSystemKeys(db: Db, master: MasterKeys, log: Logger, opts: { create?: boolean; suite?: SuiteId } = {}): Promise<LoadedKeys> {
  const create = opts.create ?? true;
  if (create) await checkMasterKeys(db, master);
  let root = await readKey(db, master, ROOT);
  let created = false;
  if (!root) {
    if (!create) throw new KeyCheckError('the integrity key has not been created yet: start the server once first');
    if (await keyedDataExists(db)) {
      throw new KeyCheckError('the integrity key is missing although keyed data exists: the system_keys table was altered (完整性密钥缺失，拒绝启动)');
    }
    await createKey(db, master, ROOT, newRootKey());
    // Installs from before system keys derived receipt PINs from the oldest master key: keep that key, so
    // earlier receipts and retried submissions keep their PINs; a new install gets a random one.
    const earlier = await db.query('SELECT 1 FROM petitions LIMIT 1');
    await createKey(db, master, PIN, earlier.rowCount ? master.legacyDerive('receipt-pin') : newRootKey());
    root = (await readKey(db, master, ROOT))!;
    created = true;
    log.info('integrity keys created', { suite: opts.suite ?? master.suite });
  }
  const pin = await readKey(db, master, PIN);
  if (!pin) throw new KeyCheckError('the receipt PIN key is missing: the system_keys table was altered (回执密钥缺失，拒绝启动)');
  return { keys: new IntegrityKeys(opts.suite ?? master.suite, root, pin), created };
}

/** Re-wraps system keys under the newest master key version and the configured suite (part of `npm run keys:rotate`). */
export async function rewrapSystemKeys(q: Queryable, master: MasterKeys): Promise<number> {
  const r = await q.query<{ name: string; wrapped: Buffer; kek_version: number }>(
    'SELECT name, wrapped, kek_version FROM system_keys WHERE kek_version <> $1 OR get_byte(wrapped, 0) <> $2 FOR UPDATE',
    [master.current, ENVELOPE_FORMAT[master.suite]],
  );
  for (const k of r.rows) {
    const { wrapped, kekVersion } = master.wrap(master.unwrap(k.wrapped, k.kek_version, k.name, 'system_keys'), k.name, 'system_keys');
    await q.query('UPDATE system_keys SET wrapped = $2, kek_version = $3, rotated_at = now() WHERE name = $1', [k.name, wrapped, kekVersion]);
  }
  return r.rows.length;
}
