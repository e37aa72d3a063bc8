import { spawn, type ChildProcess } from 'node:child_process';

export interface RedisServerProc {
  proc: ChildProcess;
  exited(): boolean;
}

/**
 * Debian's redis-server on 127.0.0.1:`port`, in memory only (no RDB, no AOF), resolved once it accepts
 * connections. Tests own it: nothing of the machine's Redis is touched.
 */
export async function spawnRedisServer(port: number): Promise<RedisServerProc> {
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exited = false;
  let out = '';
  proc.on('exit', () => (exited = true));
  // Settles on the ready line, or at once when the server exits (a taken port): the caller may retry another port.
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => (proc.kill('SIGKILL'), reject(new Error(`redis-server on port ${port} not ready after 10 s: ${tail(out)}`))), 10_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      if (!out.includes('Ready to accept connections')) return;
      clearTimeout(timer);
      resolve();
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('error', (err) => (clearTimeout(timer), reject(new Error(`redis-server could not start: ${err.message}`))));
    proc.once('exit', () => (clearTimeout(timer), reject(new Error(`redis-server exited: ${tail(out)}`))));
  });
  // Only the ready line was needed; keep the pipes drained so a chatty server never blocks.
  proc.stdout?.removeAllListeners('data').resume();
  proc.stderr?.removeAllListeners('data').resume();
  return { proc, exited: () => exited };
}

function tail(out: string): string {
  return out.trim().split('\n').slice(-3).join(' | ');
}
