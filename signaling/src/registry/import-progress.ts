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
  // The clock's time, not the transaction's start: a long batch must not look older than it is.
  const r = await q.query(
    `UPDATE registry_imports SET processed_rows = $2, imported_rows = $3, error_count = $4, heartbeat_at = clock_timestamp(),
       errors = CASE WHEN jsonb_array_length(errors) < ${MAX_STORED_ERRORS} THEN errors || $5::jsonb ELSE errors END WHERE id = $1 AND status = 'running'`,
    [id, at.processed, at.imported, at.errors, JSON.stringify(rowErrors.slice(0, MAX_STORED_ERRORS))],
  );
  // Taken as cut off meanwhile (importer.ts recover): the batch rolls back and the import stays failed, rather than
  // going on beside a second import of the same file that its "failed" invited.
  if (!r.rowCount) throw new Error('import no longer running');
}

/** The import finished: done, unless it was taken as cut off meanwhile (then it stays failed). */
export async function markDone(q: Queryable, id: string): Promise<void> {
  await q.query(`UPDATE registry_imports SET status = 'done', finished_at = now() WHERE id = $1 AND status = 'running'`, [id]);
}

/** Logs an import's failure and marks its row failed, so its progress bar does not wait forever. */
export async function markFailed(db: Db, log: Logger, id: string, what: string, err: unknown): Promise<void> {
  log.error(`${what} import failed`, { importId: id, ...errorFields(err) });
  await db
    .query(`UPDATE registry_imports SET status = 'failed', finished_at = now() WHERE id = $1`, [id])
    .catch((e) => log.error(`${what} import not marked failed`, { importId: id, ...errorFields(e) }));
}
