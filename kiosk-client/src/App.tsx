import { useSyncExternalStore } from 'react';
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
import { T } from './strings';

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
        return <Idle onCall={controller.call} onLookup={controller.openLookup} />;
      case 'starting':
        return <Message title={T.starting} busy />;
      case 'waiting':
        return (
          <Waiting
            view={view}
            local={state.local}
            position={state.queuePosition}
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
        return <Ended backAt={view.backAt} onHome={controller.backHome} />;
      case 'lookup':
        return <Lookup onLookup={controller.lookup} onBack={controller.backHome} />;
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
      {state.reconnecting && (
        <div className="reconnecting" role="alert" data-testid="reconnecting">
          <div className="spinner" aria-hidden />
          <h1>{T.reconnectingCall}</h1>
          <p className="lead">{T.reconnectingHint}</p>
        </div>
      )}
      {state.receipt && <Receipt caseCode={state.receipt.caseCode} pin={state.receipt.pin} onDone={controller.dismissReceipt} />}
    </div>
  );
}
