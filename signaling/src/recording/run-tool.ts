import { spawn } from 'node:child_process';

export interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** The last 2,000 characters: codec and muxer messages, never media. */
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs ffmpeg or ffprobe without blocking the event loop (spawnSync would stall every socket and request while a
 * recording is assembled), killed after `timeoutMs`. Never rejects: a missing binary answers like a failed run.
 */
export function runTool(cmd: 'ffmpeg' | 'ffprobe', args: string[], timeoutMs: number): Promise<ToolResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const done = (r: Omit<ToolResult, 'stdout' | 'stderr' | 'timedOut'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, stdout, stderr, timedOut });
    };
    const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      timedOut = true;
      proc.kill('SIGKILL');
    }, timeoutMs);
    timer.unref();
    proc.stdout.setEncoding('utf8').on('data', (c: string) => (stdout = (stdout + c).slice(-64_000)));
    proc.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-2000)));
    proc.once('error', (err) => {
      stderr = `${stderr}${(err as NodeJS.ErrnoException).code ?? 'spawn failed'}`;
      done({ code: null, signal: null });
    });
    proc.once('close', (code, signal) => done({ code, signal }));
  });
}

/** ffmpeg quiet and non-interactive, overwriting its output. */
export const runFfmpeg = (args: string[], timeoutMs: number) => runTool('ffmpeg', ['-nostdin', '-loglevel', 'error', '-y', ...args], timeoutMs);
