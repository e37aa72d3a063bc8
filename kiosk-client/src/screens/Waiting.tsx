import { Video, mmss, useNow } from '@vj/shared/client';
import { T } from '../strings';

export function Waiting({ since, local, position, onCancel }: { since: number; local: MediaStream | undefined; position: number | undefined; onCancel: () => void }) {
  const now = useNow();
  return (
    <section className="center" data-testid="waiting">
      <h1>{T.waitingTitle}</h1>
      {position !== undefined && (
        <p className="queue" data-testid="queue-position">
          {T.queueAhead(position - 1)}
        </p>
      )}
      <p className="lead" role="timer">
        {T.waitingElapsed(mmss(now - since))}
      </p>
      <figure className="preview-large">
        <Video stream={local} muted label={T.selfPreview} testId="self-preview" />
        <figcaption>{T.selfPreview}</figcaption>
      </figure>
      <button className="btn-secondary" onClick={onCancel} data-testid="cancel-button">
        {T.cancelButton}
      </button>
    </section>
  );
}
