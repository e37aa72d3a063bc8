import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MIGRATIONS_DIR } from '../../signaling/src/db/migrate.js';

/** The migrations before `version`, in a folder of their own: an install as it stood before that migration. */
export function migrationsBefore(version: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vj-migrations-'));
  for (const f of fs.readdirSync(MIGRATIONS_DIR))
    if (/^\d{4}_/.test(f) && f.slice(0, 4) < version) fs.copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(dir, f));
  return dir;
}
