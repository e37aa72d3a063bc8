import type { ReactNode } from 'react';
import { T } from '../strings';

/**
 * The body every console list shares, in one order: the loading line, the error line, the empty line, the table.
 * The caller keeps its own rows (each `<tr>` with its key, test id and click) and whatever sits around the list.
 */
export function ListView<R>({
  rows,
  error,
  loading = false,
  empty,
  columns,
  row,
  testId,
  errorTestId,
  errorText = T.loadFailed,
  compact = false,
}: {
  /** Undefined until the first answer. */
  rows: readonly R[] | undefined;
  error?: string | undefined;
  /** Whether to show the loading line: each screen decides (some keep it up while old rows stay shown). */
  loading?: boolean;
  empty: ReactNode;
  /** Column headings; none gives a table without a head (the deadline board). */
  columns?: readonly ReactNode[];
  row: (item: R) => ReactNode;
  testId?: string;
  errorTestId?: string;
  /** How the error reads; by default 加载失败：… */
  errorText?: (error: string) => ReactNode;
  /** Tighter cells, for a list inside a dialog. */
  compact?: boolean;
}) {
  return (
    <>
      {loading && <p className="hint">{T.loading}</p>}
      {error && (
        <p className="error" data-testid={errorTestId}>
          {errorText(error)}
        </p>
      )}
      {/* An error leaves the rows already shown (the audit view's older pages), but never claims the list is empty. */}
      {rows?.length === 0 && !error && <p className="empty">{empty}</p>}
      {rows && rows.length > 0 && (
        <table className={compact ? 'table compact' : 'table'} data-testid={testId}>
          {columns && (
            <thead>
              <tr>
                {columns.map((c, i) => (
                  <th key={i} scope="col">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
          )}
          <tbody>{rows.map((r) => row(r))}</tbody>
        </table>
      )}
    </>
  );
}
