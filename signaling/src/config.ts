import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { NodeId, RedisPrefix } from '@vj/rpc';
import { RtcEnv, RtcSettingsError, sfuConfigFromEnv } from '@vj/sfu-server';
import { DEFAULT_SUITE, SUITES } from './security/crypto.js';
import { TOPOLOGIES, TopologyError, chooseTopology } from './topology-choice.js';
import { parsePortRange } from './recording/recorder-ports.js';

const Bool = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');

/** An empty variable counts as unset (docker-compose passes `${X:-}` through as an empty string). */
const unsetWhenEmpty = (v: unknown) => (v === '' ? undefined : v);

/** One TURN server address as browsers take it: turn:host[:port][?transport=udp|tcp] or turns:…. */
export const TURN_URL = /^(turns?):(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?(?:\?transport=(udp|tcp))?$/;

/**
 * The optional TURN relay (Debian's coturn, `npm run turn`): where clients find it, the secret shared with it
 * (coturn's use-auth-secret / static-auth-secret) and how long the credentials made from it stay usable.
 */
const TurnEnv = z.object({
  TURN_URLS: z.preprocess(
    unsetWhenEmpty,
    z
      .string()
      .transform((v) => v.split(/[\s,]+/).filter(Boolean))
      .refine((list) => list.length > 0 && list.length <= 8 && list.every((u) => TURN_URL.test(u)), 'TURN_URLS lists turn: or turns: URLs, comma separated')
      .optional(),
  ),
  /** Long, random, printable without spaces (it is written into coturn's configuration file as is). */
  TURN_SECRET: z.preprocess(unsetWhenEmpty, z.string().optional()),
  TURN_CREDENTIAL_TTL_S: z.preprocess(unsetWhenEmpty, z.coerce.number().int().min(60).max(86_400).default(600)),
});

const MIN_TURN_SECRET_BYTES = 32;

export interface TurnConfig {
  urls: string[];
  secret: string;
  credentialTtlS: number;
}

/**
 * The TURN settings, or undefined when TURN_URLS is unset (no relay: clients get no ICE servers). Shared by the
 * server and the coturn launcher (`npm run turn`), so both refuse the same weak or missing secret.
 */
export function loadTurnConfig(env: NodeJS.ProcessEnv = process.env): TurnConfig | undefined {
  const parsed = TurnEnv.safeParse(env);
  if (!parsed.success) throw new ConfigError(`invalid environment: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  const { TURN_URLS: urls, TURN_SECRET: secret, TURN_CREDENTIAL_TTL_S: credentialTtlS } = parsed.data;
  if (!urls) {
    if (secret !== undefined) throw new ConfigError('TURN_SECRET is set but TURN_URLS is not: set both, or neither');
    return undefined;
  }
  if (secret === undefined) throw new ConfigError('TURN_URLS needs TURN_SECRET, the secret shared with the TURN server (no default secrets)');
  if (Buffer.byteLength(secret, 'utf8') < MIN_TURN_SECRET_BYTES) throw new ConfigError(`TURN_SECRET is shorter than ${MIN_TURN_SECRET_BYTES} bytes`);
  if (!/^[A-Za-z0-9+/=_.~-]+$/.test(secret))
    throw new ConfigError('TURN_SECRET may hold only letters, digits and + / = _ . ~ - (base64 or base64url of random bytes)');
  if (new Set(secret).size < 10) throw new ConfigError('TURN_SECRET repeats a few characters: use random bytes (openssl rand -base64 48)');
  return { urls, secret, credentialTtlS };
}

const Env = RtcEnv.extend({
  VJ_MODE: z.enum(['demo', 'production']).default('demo'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url().optional(),
  DATA_DIR: z.string().default('data'),
  DATABASE_URL: z.string().optional(),
  /**
   * Free space DATA_DIR keeps back (MB): below it, writes to the embedded database are refused with STORAGE_FULL
   * and health reports it, so the engine never meets a full disk mid-write. 0 turns the check off.
   */
  DISK_RESERVE_MB: z.coerce.number().int().min(0).max(1_000_000).default(128),
  /** A database statement running longer fails (503) instead of holding its connection; the embedded engine is reopened. */
  DB_QUERY_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  /** single (default), single-redis or cluster: the deployment's shape (topology-choice.ts). */
  VJ_TOPOLOGY: z.preprocess(unsetWhenEmpty, z.enum(TOPOLOGIES).optional()),
  /** Where Redis is, for the single-redis and cluster topologies. */
  REDIS_URL: z.preprocess(unsetWhenEmpty, z.string().optional()),
  /** Namespace for every Redis key and channel, so several deployments (or test runs) can share one Redis. */
  REDIS_PREFIX: RedisPrefix,
  /** HS256 signing secret(s): "kid:secret" pairs separated by commas; the first one signs. */
  JWT_SECRETS: z.string().optional(),
  /** County master keys "1:<base64 32 bytes>,2:…" (the highest version wraps new data keys). */
  VJ_MASTER_KEYS: z.string().optional(),
  /** Or a file holding that same text, e.g. on a mounted secret volume. */
  MASTER_KEY_FILE: z.string().optional(),
  /**
   * The crypto suite for new data: `sm` (国密: SM4-CTR + HMAC-SM3, SM3 chains, PBKDF2-HMAC-SM3 passwords) or
   * `intl` (AES-256-GCM, HMAC-SHA-256, scrypt). Data of the other suite stays readable; keys:rotate re-seals.
   */
  CRYPTO_SUITE: z.enum(SUITES).default(DEFAULT_SUITE),
  ACCESS_TOKEN_TTL_S: z.coerce.number().int().min(5).max(3600).default(900),
  KIOSK_TOKEN_TTL_S: z.coerce.number().int().min(30).max(86400).default(3600),
  TLS_CERT_FILE: z.string().optional(),
  TLS_KEY_FILE: z.string().optional(),
  /**
   * Reverse proxies whose X-Forwarded-For is believed: addresses or CIDRs (or express's names loopback,
   * linklocal, uniquelocal), comma separated. Empty (the default): the peer address is the client, whatever
   * headers say, so no client can pick a fresh address for every guess.
   */
  TRUST_PROXY: z
    .string()
    .default('')
    .transform((v) => v.split(/[\s,]+/).filter(Boolean))
    .refine((list) => list.every(isProxyAddress)),
  /** Replaced by VJ_TOPOLOGY (SFU_MODE=redis meant the cluster); read only to keep older deployments starting. */
  SFU_MODE: z.preprocess(unsetWhenEmpty, z.enum(['local', 'redis']).optional()),
  /** How long a request to an SFU node may take before it fails by name (SFU_TIMEOUT). */
  SFU_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  /** How long a request to another signaling node may take before it fails by name (NODE_TIMEOUT); unset, the SFU's. */
  NODE_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).optional(),
  /** This signaling node's name in Redis; random when unset. */
  NODE_ID: NodeId.optional(),
  ROOMS_FILE: z.string().optional(),
  /** How long a dropped participant keeps their place in a live session. */
  RECONNECT_GRACE_S: z.coerce.number().int().min(5).max(3600).default(60),
  /** How long a call may wait unanswered before supervisors are alerted. */
  ESCALATE_AFTER_S: z.coerce.number().int().min(1).max(3600).default(90),
  /** Server-side recording of every session (needs Debian's ffmpeg). Off only for deployments whose policy says so. */
  RECORDING: z.enum(['on', 'off']).default('on'),
  /**
   * The loopback UDP ports the recorder's ffmpeg processes listen on, a pair per track, as "min-max". Keep it out
   * of the kernel's ephemeral range (net.ipv4.ip_local_port_range) and of RTC_MIN_PORT–RTC_MAX_PORT.
   */
  RECORDER_PORTS: z
    .string()
    .default('61000-65534')
    .transform((v, ctx) => parsePortRange(v) ?? (ctx.addIssue({ code: 'custom', message: 'RECORDER_PORTS must be min-max, 1024–65535' }), z.NEVER)),
  /** How often each node checks case deadlines (due soon, overdue, escalation). */
  DEADLINE_SWEEP_S: z.coerce.number().int().min(1).max(86_400).default(300),
  /** When a kiosk going offline raises an alarm, in the server's time zone (set TZ=Asia/Shanghai). */
  OFFICE_HOURS: z.string().default('08:30-17:30'),
  /** How long a provisioned kiosk may stay offline (or unseen since start-up) before the offline alarm. */
  KIOSK_OFFLINE_GRACE_S: z.coerce.number().int().min(1).max(86_400).default(60),
  /** Each kiosk checks its camera, microphone and media path once a day before its first call (TZ sets the day). */
  KIOSK_SELF_CHECK: z.enum(['on', 'off']).default('on'),
  /** A console nobody touches for this long logs out (a warning a minute before; never during a call). */
  CONSOLE_IDLE_TIMEOUT_S: z.coerce.number().int().min(10).max(86_400).default(900),
  /**
   * Demo mode only: 'off' leaves the demo accounts without a second factor and lets them in without one. The test
   * suite uses it for the tests that are not about signing in, because one account signs in many times a minute
   * there and a TOTP code works only once. Production refuses the setting.
   */
  DEMO_SECOND_FACTOR: z.enum(['on', 'off']).default('on'),
  /**
   * Demo mode only: the synthetic county of the discipline-records query (4 片区, ~600 units, ~57,000 people),
   * loaded in the background after start. 'small' is ~3,000 people; the test suite runs with 'off'.
   */
  DEMO_COUNTY: z.enum(['full', 'small', 'off']).default('full'),
  /** Issuer shown in the authenticator app next to the account name. */
  TOTP_ISSUER: z.string().min(1).max(40).default('视频接访'),
  OFFICE_DAYS: z.string().default('1-5'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  STATIC_DIR: z.string().optional(),
  /** How often the audit chain's new rows are verified and its head checkpointed outside the database. */
  AUDIT_CHECKPOINT_S: z.coerce.number().int().min(1).max(86_400).default(60),
  /** A syslog collector (RFC 5424 over TCP, octet-counted frames) that receives every audit row: tcp://host:port. */
  AUDIT_SYSLOG: z
    .string()
    .regex(/^tcp:\/\/[^\s/:]+:\d{1,5}$/, 'AUDIT_SYSLOG looks like tcp://host:port')
    .optional(),
  /** Production normally refuses a database role that can rewrite the audit table; this overrides (logged). */
  VJ_ALLOW_PRIVILEGED_DB: Bool.default(false),
  /** Print the start-up banner (URLs, demo logins). */
  VJ_BANNER: Bool.default(true),
});

export type Config = ReturnType<typeof loadConfig>;

/** An IP address, a CIDR, or one of express's named ranges: what `trust proxy` accepts as a list. */
function isProxyAddress(v: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(v)) return true;
  const [ip, bits, extra] = v.split('/');
  const family = net.isIP(ip ?? '');
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

export class ConfigError extends Error {}

/** A setting another module checks, refused with the same ConfigError as this file's own checks. */
function settingsOrRefuse<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof TopologyError || err instanceof RtcSettingsError) throw new ConfigError(err.message);
    throw err;
  }
}

/** Smallest DISK_RESERVE_MB the embedded database accepts (three of its 16 MB WAL segments). */
export const MIN_EMBEDDED_RESERVE_MB = 48;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new ConfigError(`invalid environment: ${fields}`);
  }
  const e = parsed.data;
  if ((e.TLS_CERT_FILE === undefined) !== (e.TLS_KEY_FILE === undefined)) {
    throw new ConfigError('TLS_CERT_FILE and TLS_KEY_FILE go together');
  }
  if (e.VJ_MODE === 'production') {
    if (!e.JWT_SECRETS) throw new ConfigError('production mode needs JWT_SECRETS (no default secrets in production)');
    if (!e.DATABASE_URL) throw new ConfigError('production mode needs DATABASE_URL (PostgreSQL)');
    if (!e.VJ_MASTER_KEYS && !e.MASTER_KEY_FILE)
      throw new ConfigError('production mode needs VJ_MASTER_KEYS or MASTER_KEY_FILE (no default keys in production)');
    if (e.DEMO_SECOND_FACTOR === 'off')
      throw new ConfigError('DEMO_SECOND_FACTOR=off is for demo mode only: production always asks administrators and supervisors for a second factor');
  }
  // The embedded database's write-ahead log grows a 16 MB segment at a time: a reserve smaller than three segments
  // lets a write that passed the guard meet the full disk inside the engine, which takes the database down.
  if (!e.DATABASE_URL && e.DISK_RESERVE_MB > 0 && e.DISK_RESERVE_MB < MIN_EMBEDDED_RESERVE_MB) {
    throw new ConfigError(`DISK_RESERVE_MB is ${e.DISK_RESERVE_MB}: on the embedded database it is 0 (off) or at least ${MIN_EMBEDDED_RESERVE_MB}`);
  }
  const topology = settingsOrRefuse(() => chooseTopology(e));
  const rtc = settingsOrRefuse(() => sfuConfigFromEnv(e));
  const turn = loadTurnConfig(env);
  // The TURN secret sits in coturn's file, often on another host: it must not also sign this server's tokens.
  if (turn && e.JWT_SECRETS?.split(',').some((pair) => pair.slice(pair.indexOf(':') + 1).trim() === turn.secret)) {
    throw new ConfigError('TURN_SECRET must not be one of the JWT_SECRETS');
  }
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    mode: e.VJ_MODE,
    demo: e.VJ_MODE === 'demo',
    host: e.HOST,
    port: e.PORT,
    publicUrl: e.PUBLIC_URL,
    dataDir,
    databaseUrl: e.DATABASE_URL,
    diskReserveMb: e.DISK_RESERVE_MB,
    dbQueryTimeoutMs: e.DB_QUERY_TIMEOUT_MS,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    jwtSecrets: e.JWT_SECRETS,
    masterKeys: e.VJ_MASTER_KEYS,
    masterKeyFile: e.MASTER_KEY_FILE,
    cryptoSuite: e.CRYPTO_SUITE,
    accessTokenTtlS: e.ACCESS_TOKEN_TTL_S,
    kioskTokenTtlS: e.KIOSK_TOKEN_TTL_S,
    tls: e.TLS_CERT_FILE && e.TLS_KEY_FILE ? { certFile: e.TLS_CERT_FILE, keyFile: e.TLS_KEY_FILE } : undefined,
    trustProxy: e.TRUST_PROXY,
    /** The media path's settings for an SFU in this process (ignored by a cluster node, whose SFUs run apart). */
    rtc,
    /** Undefined: no TURN relay, and transports carry no ICE servers (the behaviour without TURN). */
    turn,
    /** The one place the topology is decided; the server builds its parts from it (topology.ts). */
    topology,
    sfuTimeoutMs: e.SFU_REQUEST_TIMEOUT_MS,
    nodeTimeoutMs: e.NODE_REQUEST_TIMEOUT_MS ?? e.SFU_REQUEST_TIMEOUT_MS,
    nodeId: e.NODE_ID,
    roomsFile: e.ROOMS_FILE,
    reconnectGraceMs: e.RECONNECT_GRACE_S * 1000,
    escalateAfterMs: e.ESCALATE_AFTER_S * 1000,
    deadlineSweepMs: e.DEADLINE_SWEEP_S * 1000,
    recording: e.RECORDING === 'on',
    recorderPorts: e.RECORDER_PORTS,
    officeHours: { hours: e.OFFICE_HOURS, days: e.OFFICE_DAYS },
    kioskOfflineGraceMs: e.KIOSK_OFFLINE_GRACE_S * 1000,
    kioskSelfCheck: e.KIOSK_SELF_CHECK === 'on',
    consoleIdleTimeoutS: e.CONSOLE_IDLE_TIMEOUT_S,
    /** False only in a demo started with DEMO_SECOND_FACTOR=off (the test suite's default). */
    secondFactor: e.DEMO_SECOND_FACTOR === 'on',
    totpIssuer: e.TOTP_ISSUER,
    demoCounty: e.VJ_MODE === 'demo' ? e.DEMO_COUNTY : ('off' as const),
    logLevel: e.LOG_LEVEL,
    staticDir: e.STATIC_DIR,
    banner: e.VJ_BANNER,
    auditCheckpointMs: e.AUDIT_CHECKPOINT_S * 1000,
    auditSyslog: e.AUDIT_SYSLOG,
    allowPrivilegedDb: e.VJ_ALLOW_PRIVILEGED_DB,
  };
}
