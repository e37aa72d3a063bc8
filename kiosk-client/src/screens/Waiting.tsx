import { Video, mmss, useNow } from '@vj/client';
import type { KioskView } from '../kiosk-controller';
import { T } from '../strings';

type WaitingView = Extract<KioskView, { screen: 'waiting' }>;

/**
 * Waiting for the county. After the escalation time the screen stops promising a quick answer: it says the
 * officers are busy and a supervisor was alerted, and offers a choice (keep waiting, or ask for a callback).
 */
export function Waiting(props: {
  view: WaitingView;
  local: MediaStream | undefined;
  position: number | undefined;
  /** The session's recording, which starts with the kiosk's camera, before anyone answers: the villager is told. */
  recording: 'recording' | 'paused' | null | undefined;
  onCancel: () => void;
  onKeepWaiting: () => void;
  onCallback: () => void;
}) {
  const now = useNow();
  const { view } = props;
  const choosing = view.unanswered && view.choice !== 'wait';
  return (
    <section className="waiting" data-testid="waiting" data-unanswered={view.unanswered ? 'true' : 'false'}>
      <figure className="preview-large">
        <Video stream={props.local} muted label={T.selfPreview} testId="self-preview" />
        {/* Beside the picture it is about: the side column has no room to spare once the call goes unanswered. */}
        {props.recording === 'recording' ? (
          <figcaption className="rec-note" role="status" data-testid="waiting-recorded">
            <span className="rec on">{T.recordingOn}</span>
            {T.waitingRecorded}
          </figcaption>
        ) : (
          <figcaption>{T.selfPreview}</figcaption>
        )}
      </figure>
      <div className="waiting-side">
        <h1 data-testid="waiting-title">{view.unanswered ? T.unansweredTitle : T.waitingTitle}</h1>
        {view.unanswered && (
          <p className="lead" role="status" data-testid="unanswered-body">
            {view.choice === 'wait' ? T.keptWaiting : view.choice === 'callback_failed' ? T.callbackFailed : T.unansweredBody}
          </p>
        )}
        {props.position !== undefined && !choosing && (
          <p className="queue" data-testid="queue-position">
            {T.queueAhead(props.position - 1)}
          </p>
        )}
        {/* Not while the choice is up: its three buttons need the room, and the wait is what the title is about. */}
        {!choosing && (
          <p className="lead" role="timer">
            {T.waitingElapsed(mmss(now - view.since))}
          </p>
        )}
        {choosing ? (
          <div className="choice">
            <button className="btn-secondary strong" onClick={props.onKeepWaiting} data-testid="keep-waiting">
              {T.keepWaiting}
            </button>
            <button className="btn-secondary" onClick={props.onCallback} data-testid="request-callback">
              {T.requestCallback}
            </button>
            {/* Leaving stays possible while the choice is up: the call, and its recording, stop only when asked. */}
            <button className="btn-secondary" onClick={props.onCancel} data-testid="cancel-button">
              {T.cancelButton}
            </button>
          </div>
        ) : (
          <div className="choice">
            {view.unanswered && (
              <button className="btn-secondary" onClick={props.onCallback} data-testid="request-callback">
                {T.requestCallback}
              </button>
            )}
            <button className="btn-secondary" onClick={props.onCancel} data-testid="cancel-button">
              {T.cancelButton}
            </button>
          </div>
        )}
      </div>
    </section>
  );
}
