import { spawnSync } from 'node:child_process';
import { step, fail } from './log.mjs';

function isInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

/** Installs Debian packages that are missing and returns those it installed; as non-root it prints the exact apt line and stops. */
export function ensureAptPackages(packages, purpose) {
  if (spawnSync('dpkg-query', ['--version']).status !== 0) {
    fail(`dpkg-query not found: this set-up expects Debian 12. Install by hand: ${packages.join(' ')}`);
  }
  const missing = packages.filter((p) => !isInstalled(p));
  if (missing.length === 0) return [];
  const line = `apt-get install -y -q --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    fail(`Missing Debian packages for ${purpose}. Run as root:\n  apt-get update && ${line}`);
  }
  step(`Installing Debian packages for ${purpose}: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('sh', ['-c', line], { stdio: 'inherit', env });
  if (r.status !== 0) {
    // A fresh machine has no package lists yet; refresh them once and retry.
    spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
    r = spawnSync('sh', ['-c', line], { stdio: 'inherit', env });
  }
  if (r.status !== 0) fail(`apt-get failed for: ${missing.join(' ')}`);
  return missing;
}
