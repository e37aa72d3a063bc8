import { useEffect, useLayoutEffect, useRef, useState, type MouseEvent } from 'react';
import type { AlertView, RoomView } from '@vj/shared';
import { mmss, useNow } from '@vj/client';
import { T } from '../strings';

/** A pointer press on an answer button that moved less than this long ago is not taken (see useMoveGuard). */
export const MOVED_GUARD_MS = 600;

/**
 * The queue's buttons move when a room joins or leaves it or a line of alerts appears above it, and an officer
 * aiming at one room's 接听 can then press another's. A pointer press on a button that moved within the last
 * MOVED_GUARD_MS (seen at each render, and again at the press) is not taken: the officer is told and presses again.
 * Keyboard presses (and the A shortcut) are always taken: nothing moved under them.
 */
function useMoveGuard() {
  const buttons = useRef(new Map<string, HTMLButtonElement>());
  const seen = useRef(new Map<string, { x: number; y: number; movedAt: number }>());
  const [refused, setRefused] = useState(0);
  const look = (code: string, el: HTMLButtonElement, now: number) => {
    const r = el.getBoundingClientRect();
    // Where it sits in the content of the page and of every box around it, so scrolling the page or the queue's own
    // box (which the officer does, looking) is not a move; a line inserted above it is.
    // (The page's own scroll is the root element's, in standards mode.)
    let x = r.left;
    let y = r.top;
    for (let box = el.parentElement; box; box = box.parentElement) {
      x += box.scrollLeft;
      y += box.scrollTop;
    }
    const prev = seen.current.get(code);
    const moved = prev !== undefined && (Math.abs(prev.x - x) > 1 || Math.abs(prev.y - y) > 1);
    const entry = { x, y, movedAt: moved ? now : (prev?.movedAt ?? -Infinity) };
    seen.current.set(code, entry);
    return entry;
  };
  useLayoutEffect(() => {
    const now = performance.now();
    for (const code of [...seen.current.keys()]) if (!buttons.current.has(code)) seen.current.delete(code);
    for (const [code, el] of buttons.current) look(code, el, now);
  });
  useEffect(() => {
    if (!refused) return;
    const t = setTimeout(() => setRefused(0), 2500);
    return () => clearTimeout(t);
  }, [refused]);
  return {
    refused: refused > 0,
    ref: (code: string) => (el: HTMLButtonElement | null) => void (el ? buttons.current.set(code, el) : buttons.current.delete(code)),
    /** Whether this click may answer: a keyboard press always, a pointer press only on a button that has settled. */
    settled(code: string, e: MouseEvent<HTMLButtonElement>): boolean {
      if (e.detail === 0) return true;
      const now = performance.now();
      if (now - look(code, e.currentTarget, now).movedAt >= MOVED_GUARD_MS) return true;
      setRefused((n) => n + 1);
      return false;
    },
  };
}

export function CallQueue({ rooms, alerts, busy, onAnswer }: { rooms: RoomView[]; alerts: AlertView[]; busy: boolean; onAnswer: (sessionId: string) => void }) {
  const escalated = new Set(alerts.filter((a) => a.kind === 'call_unanswered').map((a) => a.roomCode));
  const now = useNow();
  const waiting = rooms.filter((r) => r.state === 'calling').sort((a, b) => (a.since ?? '').localeCompare(b.since ?? ''));
  const taken = rooms.filter((r) => (r.state === 'in_session' || r.state === 'private') && r.sessionKind === 'county_call');
  const guard = useMoveGuard();
  return (
    <aside className="queue" aria-label={T.queueTitle}>
      {/* The notice sits on the heading's line, so telling it moves nothing. */}
      <h2 className="queue-title">
        {T.queueTitle}
        <span className="queue-moved" role="status" data-testid="queue-moved">
          {guard.refused ? T.queueMoved : ''}
        </span>
      </h2>
      {waiting.length === 0 && <p className="empty">{T.queueEmpty}</p>}
      <ul>
        {waiting.map((r) => (
          <li key={r.code} className={escalated.has(r.code) ? 'queue-item calling escalated' : 'queue-item calling'} data-testid={`queue-${r.code}`}>
            <div>
              <div className="queue-room">{r.name}</div>
              <div className="queue-wait">{T.waited(mmss(now - Date.parse(r.since ?? '')))}</div>
            </div>
            <button
              ref={guard.ref(r.code)}
              disabled={busy || !r.sessionId}
              onClick={(e) => r.sessionId && guard.settled(r.code, e) && onAnswer(r.sessionId)}
              title={T.answerHint}
              data-testid={`answer-${r.code}`}
            >
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
