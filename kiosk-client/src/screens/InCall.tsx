import { Video, mmss, useNow } from '@vj/shared/client';
import type { KioskView } from '../kiosk-controller';
import { LockIcon } from '../icons';
import { T } from '../strings';

type InCallView = Extract<KioskView, { screen: 'in_call' }>;

export function InCall(props: { view: InCallView; local: MediaStream | undefined; remote: MediaStream | undefined; onEnd: () => void }) {
  const now = useNow();
  return (
    <section className="call" data-testid="in-call">
      <div className="call-top">
        <h1>{T.inCallTitle(props.view.officerName)}</h1>
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
      <button className="btn-end" onClick={props.onEnd} data-testid="end-button">
        {T.endButton}
      </button>
    </section>
  );
}
