import type { AlertView, RoomView } from '@vj/shared';
import { mmss, useNow } from '@vj/client';
import { T } from '../strings';

export function CallQueue({ rooms, alerts, busy, onAnswer }: { rooms: RoomView[]; alerts: AlertView[]; busy: boolean; onAnswer: (sessionId: string) => void }) {
  const escalated = new Set(alerts.filter((a) => a.kind === 'call_unanswered').map((a) => a.roomCode));
  const now = useNow();
  const waiting = rooms.filter((r) => r.state === 'calling').sort((a, b) => (a.since ?? '').localeCompare(b.since ?? ''));
  const taken = rooms.filter((r) => (r.state === 'in_session' || r.state === 'private') && r.sessionKind === 'county_call');
  return (
    <aside className="queue" aria-label={T.queueTitle}>
      <h2>{T.queueTitle}</h2>
      {waiting.length === 0 && <p className="empty">{T.queueEmpty}</p>}
      <ul>
        {waiting.map((r) => (
          <li key={r.code} className={escalated.has(r.code) ? 'queue-item calling escalated' : 'queue-item calling'} data-testid={`queue-${r.code}`}>
            <div>
              <div className="queue-room">{r.name}</div>
              <div className="queue-wait">{T.waited(mmss(now - Date.parse(r.since ?? '')))}</div>
            </div>
            <button disabled={busy || !r.sessionId} onClick={() => r.sessionId && onAnswer(r.sessionId)} title={T.answerHint} data-testid={`answer-${r.code}`}>
              {T.answer}
            </button>
          </li>
        ))}
        {taken.map((r) => (
          <li key={r.code} className="queue-item taken">
            <div className="queue-room">{r.name}</div>
            <div className="queue-wait">{r.answeredBy ? T.takenBy(r.answeredBy) : T.takenByUnknown}</div>
          </li>
        ))}
      </ul>
    </aside>
  );
}
