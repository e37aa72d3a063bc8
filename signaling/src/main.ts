import { ConfigError, loadConfig } from './config.js';
import { printBanner } from './banner.js';
import { startServer } from './server.js';

// Before anything opens a file: what this process creates (database, recordings, secrets, scratch) is for its
// own user only. PGlite's initdb chmods past it, so start-up also walks DATA_DIR (db/data-dir-perms.ts).
process.umask(0o077);

// Recorded, never swallowed silently: tests assert that no request ever produces one.
process.on('unhandledRejection', (err) => {
  console.error(JSON.stringify({ level: 'error', msg: 'unhandled rejection', errorName: err instanceof Error ? err.name : typeof err }));
});
process.on('uncaughtException', (err) => {
  console.error(JSON.stringify({ level: 'error', msg: 'uncaught exception', errorName: err.name }));
  process.exit(70);
});

/** How long a normal stop may take before the process exits anyway. */
const STOP_TIMEOUT_MS = 15_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const server = await startServer(config);
  if (config.banner) printBanner(server, config);
  // Machine-readable line for the test harness and process supervisors.
  console.log(JSON.stringify({ ready: true, url: server.url, port: server.port }));
  let stopping = false;
  const stop = (signal: string) => {
    // A second Ctrl+C means "now": nothing is lost that a kill -9 would not lose, and the next start resumes calls.
    if (stopping) process.exit(130);
    stopping = true;
    console.log(JSON.stringify({ msg: 'stopping', signal }));
    // A stop that hangs (a stuck request, an unanswering database) must not keep the port or the calls hostage.
    setTimeout(() => process.exit(1), STOP_TIMEOUT_MS).unref();
    server.close(signal).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    console.error(`配置错误 / configuration error: ${err.message}`);
  } else {
    console.error('启动失败 / failed to start:', err instanceof Error ? err.message : err);
  }
  process.exit(1);
});
