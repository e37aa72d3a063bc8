import { TURN_URL } from '../config.js';

export interface TurnServerOptions {
  /** TURN_URLS: the ports and transports coturn listens on come from here, the realm from the first host. */
  urls: string[];
  secret: string;
  /** The address coturn listens on and relays from; every address when unset. */
  listenIp?: string | undefined;
  /** Relay only to these addresses (the SFU's announced ones); empty: any peer coturn allows by default. */
  peers: string[];
  /** Certificate and key for turns: URLs. */
  tls?: { certFile: string; keyFile: string } | undefined;
  /** Folder for coturn's pid file and its (unused) user database. */
  dir: string;
  /** `stdout`, or a file. */
  logFile: string;
  /** More lines, as they are (the tests' private server allows loopback peers and logs verbosely). */
  extra?: string[];
}

export interface TurnListeners {
  realm: string;
  /** coturn's listening-port: plain TURN over TCP (and UDP when `udp`); the TLS port when there are only turns: URLs. */
  port: number;
  /** coturn's tls-listening-port, for turns: URLs (none: no TLS listener). */
  tlsPort: number | undefined;
  udp: boolean;
}

export class TurnConfError extends Error {}

/** What coturn must listen on to serve the URLs that clients are given. */
export function turnListeners(urls: string[]): TurnListeners {
  const parsed = urls.map((u) => {
    const m = TURN_URL.exec(u);
    if (!m) throw new TurnConfError(`not a turn: or turns: URL: ${u}`);
    const tls = m[1] === 'turns';
    return { tls, host: m[2]!.replace(/^\[|\]$/g, ''), port: m[3] ? Number(m[3]) : tls ? 5349 : 3478, udp: !tls && m[4] !== 'tcp' };
  });
  const ports = (tls: boolean) => [...new Set(parsed.filter((p) => p.tls === tls).map((p) => p.port))];
  const plain = ports(false);
  const secure = ports(true);
  if (plain.length > 1 || secure.length > 1) throw new TurnConfError('coturn listens on one port for turn: and one for turns: URLs; TURN_URLS names more');
  if (parsed.some((p) => p.port < 1 || p.port > 65535)) throw new TurnConfError('a TURN URL names a port outside 1–65535');
  const tlsPort = secure[0];
  // Only turns: URLs: the plain listener goes on the TLS port too (coturn tells TLS from plain TURN on any of its
  // ports), so no port that nobody was told about (3478) is opened.
  return { realm: parsed[0]!.host, port: plain[0] ?? tlsPort!, tlsPort, udp: parsed.some((p) => p.udp) };
}

/**
 * coturn's configuration for this deployment: TURN REST API credentials only (use-auth-secret with the shared
 * secret; no anonymous use, no user database), listeners for exactly the URLs clients are given, UDP relays only,
 * and relaying only to the SFU when its addresses are known. No CLI, no web admin, no version in replies.
 */
export function turnserverConf(o: TurnServerOptions): string {
  const l = turnListeners(o.urls);
  const tls = l.tlsPort !== undefined;
  if (tls && !o.tls) throw new TurnConfError('turns: URLs need a certificate: set TURN_CERT_FILE and TURN_KEY_FILE (or TLS_CERT_FILE and TLS_KEY_FILE)');
  if (/[\s#]/.test(o.secret)) throw new TurnConfError('the TURN secret may not hold spaces or #');
  const lines = [
    '# Written from the environment (TURN_URLS, TURN_SECRET, ...) at every start; edits here are lost.',
    ...(o.listenIp ? [`listening-ip=${o.listenIp}`, `relay-ip=${o.listenIp}`] : []),
    `listening-port=${l.port}`,
    ...(l.tlsPort !== undefined ? [`tls-listening-port=${l.tlsPort}`] : []),
    ...(l.udp ? [] : ['no-udp']),
    'no-dtls',
    ...(tls && o.tls ? [`cert=${o.tls.certFile}`, `pkey=${o.tls.keyFile}`, 'no-tlsv1', 'no-tlsv1_1'] : ['no-tls']),
    'use-auth-secret',
    `static-auth-secret=${o.secret}`,
    `realm=${l.realm}`,
    'fingerprint',
    'no-tcp-relay',
    'no-multicast-peers',
    'no-rfc5780',
    'no-cli',
    'no-software-attribute',
    ...(o.peers.length > 0
      ? ['denied-peer-ip=0.0.0.0-255.255.255.255', 'denied-peer-ip=::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', ...o.peers.map((p) => `allowed-peer-ip=${p}`)]
      : []),
    `userdb=${o.dir}/turndb`,
    `pidfile=${o.dir}/turnserver.pid`,
    `log-file=${o.logFile}`,
    'simple-log',
    ...(o.extra ?? []),
  ];
  return `${lines.join('\n')}\n`;
}
