import { Video, mmss, useNow } from '@vj/shared/client';
import type { SessionStateView } from '@vj/shared';
import type { KioskView } from '../kiosk-controller';
import { LockIcon } from '../icons';
import { T } from '../strings';

type InCallView = Extract<KioskView, { screen: 'in_call' }>;

export function InCall(props: {
  view: InCallView;
  local: MediaStream | undefined;
  remote: MediaStream | undefined;
  session: SessionStateView | undefined;
  privateRequested: boolean;
  onEnd: () => void;
  onRequestPrivate: () => void;
}) {
  const now = useNow();
  const s = props.session;
  return (
    <section className={s?.private ? 'call private' : 'call'} data-testid="in-call" data-private={s?.private ? 'true' : 'false'}>
      {s?.private && (
        <p className="banner-private" role="status" data-testid="private-banner">
          <LockIcon /> {T.privateBanner}
        </p>
      )}
      {s?.monitoring && !s.private && (
        <p className="banner-monitoring" role="status" data-testid="monitoring-banner">
          {T.monitoringBanner}
        </p>
      )}
      <div className="call-top">
        {s?.recording && (
          <span className={s.recording === 'recording' ? 'rec on' : 'rec'} role="status" data-testid="recording-indicator" data-state={s.recording}>
            {s.recording === 'recording' ? T.recordingOn : T.recordingPaused}
          </span>
        )}
        <h1>{s?.kind === 'staff_intake' ? T.staffIntakeTitle : T.inCallTitle(props.view.officerName)}</h1>
        <span className="elapsed">{T.inCallElapsed(mmss(now - props.view.since))}</span>
      </div>
      <div className="call-media">
        <Video stream={props.remote} className="remote" testId="remote-video" />
        <figure className="preview-small">
          <Video stream={props.local} muted label={T.selfPreview} testId="self-preview" />
          <figcaption>{T.selfPreview}</figcaption>
        </figure>
      </div>
      <p className="notice" role="note">
        <LockIcon /> {T.inCallNotice}
      </p>
      <div className="call-actions">
        {!s?.private && (
          <button className="btn-secondary" disabled={props.privateRequested} onClick={props.onRequestPrivate} data-testid="request-private">
            {props.privateRequested ? T.privateRequested : T.requestPrivate}
          </button>
        )}
        <button className="btn-end" onClick={props.onEnd} data-testid="end-button">
          {T.endButton}
        </button>
      </div>
    </section>
  );
}
