import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '@vj/shared';

export interface PermsReport {
  /** Files and folders looked at, DATA_DIR itself included. */
  checked: number;
  /** Made private: group/other bits removed (files 0600, folders 0700). */
  repaired: number;
  /** Could not be changed (owned by someone else, read-only mount): named by count only. */
  failed: number;
}

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/**
 * DATA_DIR holds the embedded database (its WAL carries case codes and narratives in the clear), sealed
 * recordings and the demo secrets: nothing in it is for another local user. PGlite's initdb chmods its files to
 * 0666 whatever the umask, and an older install left DATA_DIR 0755, so the tree is checked and repaired at every
 * start instead of trusting how files were created. Symlinks are neither followed nor changed: chmod would act
 * on their target, which may lie outside DATA_DIR.
 */
export function secureDataDir(root: string): PermsReport {
  const report: PermsReport = { checked: 0, repaired: 0, failed: 0 };
  const fix = (full: string, st: fs.Stats) => {
    report.checked++;
    const want = st.isDirectory() ? DIR_MODE : FILE_MODE;
    const mode = st.mode & 0o777;
    // A file already private (0400, 0600, 0700) is left as it is; only group/other access, or a folder its owner
    // cannot walk, is changed.
    if ((mode & 0o077) === 0 && (!st.isDirectory() || (mode & DIR_MODE) === DIR_MODE)) return;
    try {
      fs.chmodSync(full, want);
      report.repaired++;
    } catch {
      report.failed++;
    }
  };
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      report.failed++;
      return;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      const st = fs.lstatSync(full, { throwIfNoEntry: false });
      if (!st || st.isSymbolicLink()) continue; // gone meanwhile, or a link (see above)
      if (!st.isDirectory() && !st.isFile()) continue; // sockets, fifos: nothing to read at rest
      fix(full, st);
      if (st.isDirectory()) walk(full);
    }
  };
  fs.mkdirSync(root, { recursive: true, mode: DIR_MODE });
  fix(root, fs.statSync(root));
  walk(root);
  return report;
}

/**
 * secureDataDir with its outcome logged (counts only: paths would name recordings and cases). At 'start' a
 * repair means something opened files while the server was down: a warning. At 'database-open' it is PGlite's
 * own chmod (its initdb, its pg_internal.init files), expected on every start: info.
 */
export function secureDataDirLogged(root: string, log: Logger, stage: 'start' | 'database-open'): PermsReport {
  const report = secureDataDir(root);
  if (report.failed || (report.repaired && stage === 'start')) log.warn('data directory permissions repaired', { stage, ...report });
  else if (report.repaired) log.info('data directory permissions repaired', { stage, ...report });
  else log.debug('data directory permissions checked', { stage, checked: report.checked });
  return report;
}
