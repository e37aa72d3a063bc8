import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { turnserverConf } from '../../signaling/src/turn/turnserver-conf.js';
import { waitFor } from './poll.js';
import { freePort } from './ports.js';

export interface TurnServer {
  /** The URL clients are given: TURN over TCP on 127.0.0.1, or over TLS (turns:) when started with a certificate. */
  url: string;
  port: number;
  secret: string;
  realm: string;
  /** coturn's log so far. */
  log(): string;
  /** Relays coturn allocated with a good credential so far (its ALLOCATE successes). */
  allocations(): number;
  stop(): Promise<void>;
}

/**
 * A private Debian coturn on a free port of 127.0.0.1, configured by the product's own configuration writer
 * (use-auth-secret with `secret`, UDP relays on 127.0.0.1, relaying only to 127.0.0.1) plus what only a test may
 * have: loopback peers allowed (the SFU is on loopback here) and a verbose log, in a temp file, that names each
 * allocation. TCP only: the client-to-relay leg over TCP is what a UDP-blocking firewall leaves; with `tls`, TLS
 * over that TCP port (a turns: URL), as on 443 through a firewall that only lets HTTPS out. Resolves once the port
 * accepts connections.
 */
export async function startTurnServer(secret: string, opts: { tls?: { certFile: string; keyFile: string } } = {}): Promise<TurnServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vj-turn-'));
  const logFile = path.join(dir, 'turn.log');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const url = `${opts.tls ? 'turns' : 'turn'}:127.0.0.1:${port}?transport=tcp`;
    const conf = path.join(dir, 'turnserver.conf');
    fs.writeFileSync(
      conf,
      turnserverConf({
        urls: [url],
        secret,
        listenIp: '127.0.0.1',
        peers: ['127.0.0.1'],
        dir,
        logFile,
        tls: opts.tls,
        extra: ['allow-loopback-peers', 'verbose'],
      }),
      { mode: 0o600 },
    );
    const proc = spawn('turnserver', ['-c', conf], { stdio: 'ignore' });
    let exited = false;
    proc.on('exit', () => (exited = true));
    const killOnExit = () => proc.kill('SIGKILL');
    process.once('exit', killOnExit);
    const started = await waitFor(
      `turnserver listening on ${port}`,
      async () => {
        if (exited) return 'exited';
        return (await accepts(port)) ? 'ready' : undefined;
      },
      { timeoutMs: 15_000 },
    ).catch((err: Error) => err);
    if (started === 'ready') {
      const log = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '');
      return {
        url,
        port,
        secret,
        realm: '127.0.0.1',
        log,
        allocations: () => log().match(/incoming packet ALLOCATE processed, success/g)?.length ?? 0,
        stop: () => stop(proc, () => exited, dir, killOnExit),
      };
    }
    // A port another process took between freePort() and the bind: try another.
    await stop(proc, () => exited, undefined, killOnExit);
    if (attempt >= 3) {
      const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join(' | ') : '';
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`turnserver did not start (${started instanceof Error ? started.message : started}): ${tail}`);
    }
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

async function stop(proc: ChildProcess, exited: () => boolean, dir: string | undefined, killOnExit: () => void): Promise<void> {
  process.off('exit', killOnExit);
  if (!exited()) {
    proc.kill('SIGTERM');
    await waitFor('turnserver to stop', exited, { timeoutMs: 10_000 }).catch(() => proc.kill('SIGKILL'));
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
