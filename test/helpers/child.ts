import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from './poll.js';

export interface ReadyChild {
  proc: ChildProcess;
  logs: string[];
  /** The exit code (128 for a signal), or null while it runs. */
  exitCode(): number | null;
}

/** Runs a Node script of the project and waits for its machine-readable `"ready":true` line. */
export async function spawnReady(script: string, env: Record<string, string>, what: string, timeoutMs: number, nodeArgs: string[] = []): Promise<ReadyChild> {
  const proc = spawn(process.execPath, [...nodeArgs, script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  let ready = false;
  let exited: number | null = null;
  const onData = (buf: Buffer) => {
    for (const line of buf.toString().split('\n')) {
      if (!line) continue;
      logs.push(line);
      if (line.includes('"ready":true')) ready = true;
    }
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  proc.on('exit', (code, signal) => (exited = code ?? (signal ? 128 : -1)));
  await waitFor(
    `${what} ready`,
    () => {
      if (exited !== null) throw new Error(`${what} exited with ${exited}: ${logs.slice(-10).join('\n')}`);
      return ready;
    },
    { timeoutMs },
  );
  return { proc, logs, exitCode: () => exited };
}
