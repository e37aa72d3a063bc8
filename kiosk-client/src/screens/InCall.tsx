import { useEffect, useState } from 'react';
import { Video, mmss, useNow } from '@vj/client';
import type { SessionStateView } from '@vj/shared';
import type { KioskView } from '../kiosk-controller';
import { LockIcon } from '../icons';
import { countyPresent, presenceOf } from '../presence';
import { SAY, T } from '../strings';
import { say } from '../voice';

type InCallView = Extract<KioskView, { screen: 'in_call' }>;

/** Whether the stream shows anyone: during a staff intake nobody from the county may be publishing yet. */
function useHasVideo(stream: MediaStream | undefined): boolean {
  const [has, setHas] = useState(false);
  useEffect(() => {
    const check = () => setHas(!!stream?.getVideoTracks().some((t) => t.readyState === 'live'));
    check();
    stream?.addEventListener('addtrack', check);
    stream?.addEventListener('removetrack', check);
    const poll = setInterval(check, 1000); // tracks that end do not always fire removetrack
    return () => {
      stream?.removeEventListener('addtrack', check);
      stream?.removeEventListener('removetrack', check);
      clearInterval(poll);
    };
  }, [stream]);
  return has;
}

/** Who can see and hear the villager now, said plainly: the session's participants, never a promise. */
function PresenceLine({ session }: { session: SessionStateView | undefined }) {
  const p = presenceOf(session);
  const who = [
    ...p.countyTalking.map((name) => T.presenceCounty(name)),
    ...(p.countyMonitoring ? [T.presenceCountyMonitor] : []),
    ...(p.staff ? [T.presenceStaff] : []),
  ];
  const intake = session?.kind === 'staff_intake';
  return (
    <div
      className="presence"
      role="status"
      aria-live="polite"
      data-testid="presence"
      data-county={countyPresent(p) ? 'true' : 'false'}
      data-staff={p.staff ? 'true' : 'false'}
    >
      <p className="presence-who">{who.length ? `${T.presenceLead}${who.join('、')}` : T.presenceNobody}</p>
      {intake && !countyPresent(p) && (
        <p className="presence-note" data-testid="presence-county-absent">
          {T.presenceCountyAbsent}
          {session?.recording === 'recording' ? T.presenceRecorded : ''}
        </p>
      )}
    </div>
  );
}

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
  const hasRemote = useHasVideo(props.remote);
  // Hanging up is one press away from a villager's hand, and the idle screen taught "press the red button":
  // the end button is grey, set apart, and asks once before it ends anything.
  const [confirming, setConfirming] = useState(false);
  const askEnd = () => {
    setConfirming(true);
    say(SAY.endConfirm);
  };
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
      {(s?.videoSuspended || s?.kioskLink?.level === 'poor') && (
        <p className="banner-line" role="status" data-testid="line-banner" data-state={s.videoSuspended ? 'sound_only' : 'poor'}>
          {s.videoSuspended ? T.lineSoundOnly : T.linePoor}
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
      <div className={hasRemote ? 'call-media' : 'call-media self-only'} data-testid="call-media" data-remote={hasRemote ? 'true' : 'false'}>
        {hasRemote && <Video stream={props.remote} className="remote" testId="remote-video" />}
        <figure className={hasRemote ? 'preview-small' : 'preview-self'}>
          <Video stream={props.local} muted label={T.selfPreview} testId="self-preview" />
          <figcaption>{T.selfPreview}</figcaption>
        </figure>
      </div>
      <PresenceLine session={s} />
      <p className="notice" role="note">
        <LockIcon /> {T.inCallNotice}
      </p>
      {confirming ? (
        <div className="call-actions confirm" role="alertdialog" aria-labelledby="end-confirm-title" data-testid="end-confirm">
          <h2 id="end-confirm-title">{T.endConfirmTitle}</h2>
          <button className="btn-secondary strong" onClick={() => setConfirming(false)} data-testid="end-cancel" autoFocus>
            {T.endConfirmNo}
          </button>
          <button className="btn-hangup" onClick={props.onEnd} data-testid="end-confirm-yes">
            {T.endConfirmYes}
          </button>
        </div>
      ) : (
        <div className="call-actions">
          {!s?.private && (
            <button className="btn-secondary" disabled={props.privateRequested} onClick={props.onRequestPrivate} data-testid="request-private">
              {props.privateRequested ? T.privateRequested : T.requestPrivate}
            </button>
          )}
          <button className="btn-hangup" onClick={askEnd} data-testid="end-button">
            {T.endButton}
          </button>
        </div>
      )}
    </section>
  );
}
