import type { Loaded } from '../api';
import { T } from '../strings';

/** What a detail panel shows until its answer has come: the failure in the server's words, or the loading line. */
export function PendingPanel({ loaded, errorTestId }: { loaded: Loaded<unknown>; errorTestId?: string }) {
  return (
    <section className="panel">
      {loaded.error ? (
        <p className="error" data-testid={errorTestId}>
          {T.loadFailed(loaded.error)}
        </p>
      ) : (
        <p className="hint">{T.loading}</p>
      )}
    </section>
  );
}
