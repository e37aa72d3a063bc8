// Runs Debian's coturn as this deployment's TURN relay, configured from the same environment as the server.
// Usage: TURN_URLS=turns:turn.county.gov.cn:443?transport=tcp TURN_SECRET=… TURN_LISTEN_IP=10.20.0.6 npm run turn
// Writes DATA_DIR/turn/turnserver.conf (0600, rewritten at every start) and runs `turnserver -c` on it until
// stopped; Ctrl+C or SIGTERM stops coturn too.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, loadTurnConfig } from '../config.js';
import { turnListeners, turnserverConf } from '../turn/turnserver-conf.js';

const unset = (v: unknown) => (v === '' ? undefined : v);
const Ip = z.preprocess(
  unset,
  z
    .string()
    .refine((v) => net.isIP(v) !== 0, 'an IP address')
    .optional(),
);
const Env = z.object({
  DATA_DIR: z.preprocess(unset, z.string().default('data')),
  /** The TURN server's own address: coturn listens there only (and relays from it). Every address when unset. */
  TURN_LISTEN_IP: Ip,
  /** Where coturn may relay to: the SFU's addresses, comma separated. Defaults to RTC_ANNOUNCED_IP. */
  TURN_PEER_IPS: z.preprocess(unset, z.string().optional()),
  RTC_ANNOUNCED_IP: Ip,
  TURN_CERT_FILE: z.preprocess(unset, z.string().optional()),
  TURN_KEY_FILE: z.preprocess(unset, z.string().optional()),
  TLS_CERT_FILE: z.preprocess(unset, z.string().optional()),
  TLS_KEY_FILE: z.preprocess(unset, z.string().optional()),
});

function main(): void {
  const turn = loadTurnConfig(process.env);
  if (!turn) throw new ConfigError('set TURN_URLS (the turn:/turns: URLs clients are given) and TURN_SECRET');
  const parsed = Env.safeParse(process.env);
  if (!parsed.success) throw new ConfigError(`invalid environment: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  const e = parsed.data;
  const peers = (e.TURN_PEER_IPS ?? e.RTC_ANNOUNCED_IP ?? '').split(/[\s,]+/).filter(Boolean);
  if (peers.some((p) => net.isIP(p) === 0)) throw new ConfigError('TURN_PEER_IPS lists IP addresses, comma separated');
  const certFile = e.TURN_CERT_FILE ?? e.TLS_CERT_FILE;
  const keyFile = e.TURN_KEY_FILE ?? e.TLS_KEY_FILE;

  const dir = path.resolve(e.DATA_DIR, 'turn');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const file = path.join(dir, 'turnserver.conf');
  const text = turnserverConf({
    urls: turn.urls,
    secret: turn.secret,
    listenIp: e.TURN_LISTEN_IP,
    peers,
    tls: certFile && keyFile ? { certFile: path.resolve(certFile), keyFile: path.resolve(keyFile) } : undefined,
    dir,
    logFile: 'stdout',
  });
  // The file holds the secret: created private, and made private again if an older one was not.
  fs.writeFileSync(file, text, { mode: 0o600 });
  fs.chmodSync(file, 0o600);

  const l = turnListeners(turn.urls);
  const where = e.TURN_LISTEN_IP ?? 'every address';
  console.log(
    `TURN relay for ${turn.urls.join(', ')}: ${where}, TCP ${l.port}${l.udp ? ` and UDP ${l.port}` : ''}${l.tlsPort ? `, TLS ${l.tlsPort}` : ''}; realm ${l.realm}`,
  );
  console.log(
    peers.length > 0 ? `Relays only to ${peers.join(', ')}.` : "WARNING: relays to any address: set TURN_PEER_IPS (or RTC_ANNOUNCED_IP) to the SFU's address.",
  );
  console.log(`Configuration: ${file}`);

  const child = spawn('turnserver', ['-c', file], { stdio: 'inherit' });
  child.on('error', (err) => {
    console.error(`turnserver could not start (${err.message}): npm run turn installs Debian's coturn first`);
    process.exit(1);
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGTERM' ? 0 : 1)));
}

try {
  main();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
