import { errorFields, type Logger } from '@vj/shared';
import type { Db, Queryable } from '../db/db.js';

/**
 * The import row both importers (the registry's and 清廉档案's monthly one) keep their progress in: a batch's counts
 * and row errors (at most 1,000 stored; the count goes on), and the mark of an import that failed.
 */
const MAX_STORED_ERRORS = 1000;

export async function saveProgress(
  q: Queryable,
  id: string,
  at: { processed: number; imported: number; errors: number },
  rowErrors: readonly { line: number; message: string }[],
): Promise<void> {
  await q.query(
    `UPDATE registry_imports SET processed_rows = $2, imported_rows = $3, error_count = $4, heartbeat_at = now(),
       errors = CASE WHEN jsonb_array_length(errors) < ${MAX_STORED_ERRORS} THEN errors || $5::jsonb ELSE errors END WHERE id = $1`,
    [id, at.processed, at.imported, at.errors, JSON.stringify(rowErrors.slice(0, MAX_STORED_ERRORS))],
  );
}

/** Logs an import's failure and marks its row failed, so its progress bar does not wait forever. */
export async function markFailed(db: Db, log: Logger, id: string, what: string, err: unknown): Promise<void> {
  log.error(`${what} import failed`, { importId: id, ...errorFields(err) });
  await db
    .query(`UPDATE registry_imports SET status = 'failed', finished_at = now() WHERE id = $1`, [id])
    .catch((e) => log.error(`${what} import not marked failed`, { importId: id, ...errorFields(e) }));
}
