const t0 = Date.now();
const secs = () => ((Date.now() - t0) / 1000).toFixed(1).padStart(6);

export function step(msg) {
  process.stdout.write(`[setup ${secs()}s] ${msg}\n`);
}

export function fail(msg) {
  process.stderr.write(`\n[setup] 失败 / FAILED: ${msg}\n`);
  process.exit(1);
}
