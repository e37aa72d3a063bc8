import { useSyncExternalStore } from 'react';
import { useNow } from '@vj/client';
import type { KioskController } from './kiosk-controller';
import { Callback } from './screens/Callback';
import { Ended } from './screens/Ended';
import { Idle } from './screens/Idle';
import { InCall } from './screens/InCall';
import { Lookup } from './screens/Lookup';
import { Message } from './screens/Message';
import { Receipt } from './screens/Receipt';
import { Trouble } from './screens/Trouble';
import { Waiting } from './screens/Waiting';
import { endedNoteOf, T } from './strings';

/** The end screen's note on why it ended, when the connection ended it. */
const noteOf = (reason: string) => {
  const note = endedNoteOf(reason);
  return note && T[note];
};

/** How long the reconnect overlay waits before it offers to end the call: a kiosk must never trap a villager. */
const WAY_OUT_AFTER_MS = 10_000;

/** Over every screen while the connection is down during a call; after a while it offers a way out. */
function Reconnecting({ since, onEnd }: { since: number | undefined; onEnd: () => void }) {
  const now = useNow();
  const wayOut = since !== undefined && now - since >= WAY_OUT_AFTER_MS;
  return (
    <div className="reconnecting" role="alert" data-testid="reconnecting">
      <div className="spinner" aria-hidden />
      <h1>{T.reconnectingCall}</h1>
      <p className="lead">{T.reconnectingHint}</p>
      {wayOut && (
        <>
          <p className="lead">{T.reconnectingWayOut}</p>
          <button className="btn-hangup" onClick={onEnd} data-testid="reconnecting-end">
            {T.endButton}
          </button>
        </>
      )}
    </div>
  );
}

export function App({ controller }: { controller: KioskController }) {
  const state = useSyncExternalStore(controller.subscribe, controller.getSnapshot);
  const { view } = state;
  const body = (() => {
    switch (view.screen) {
      case 'unprovisioned':
        return <Message title={T.unprovisionedTitle} body={T.unprovisionedBody} />;
      case 'connecting':
        return <Message title={T.connecting} busy />;
      case 'trouble':
        return <Trouble problem={view.problem} retryAt={view.retryAt} reported={!!view.reported} onRetry={controller.retryNow} />;
      case 'idle':
        return <Idle onCall={controller.call} onLookup={controller.openLookup} check={state.deviceCheck} />;
      case 'starting':
        return <Message title={T.starting} busy />;
      case 'waiting':
        return (
          <Waiting
            view={view}
            local={state.local}
            position={state.queuePosition}
            recording={state.session?.recording}
            onCancel={controller.hangUp}
            onKeepWaiting={controller.keepWaiting}
            onCallback={controller.requestCallback}
          />
        );
      case 'in_call':
        return (
          <InCall
            view={view}
            local={state.local}
            remote={state.remote}
            session={state.session}
            privateRequested={state.privateRequested}
            onEnd={controller.hangUp}
            onRequestPrivate={controller.requestPrivate}
          />
        );
      case 'callback':
        return <Callback backAt={view.backAt} onHome={controller.backHome} />;
      case 'ended':
        return <Ended backAt={view.backAt} answered={view.answered} onHome={controller.backHome} note={noteOf(view.reason)} />;
      case 'lookup':
        return (
          <Lookup
            onLookup={controller.lookup}
            onRate={async (r, rating, reasons) => void (await controller.rate({ caseCode: r.code, pin: r.pin, rating, reasons }))}
            onBack={controller.backHome}
          />
        );
    }
  })();
  return (
    <div className="kiosk" data-screen={view.screen}>
      <header className="banner">
        <span className="banner-title">{T.appTitle}</span>
        {state.room && (
          <span className="banner-room" data-testid="room-name">
            {state.room.name}
            {T.roomSuffix}
          </span>
        )}
      </header>
      <main className="stage">{body}</main>
      {state.reconnecting && <Reconnecting since={state.reconnectingSince} onEnd={controller.hangUp} />}
      {state.receipt && (
        <Receipt caseCode={state.receipt.caseCode} pin={state.receipt.pin} onDone={controller.dismissReceipt} beside={state.view.screen === 'in_call'} />
      )}
    </div>
  );
}
