import { useEffect, useState } from 'react';
import type { RecordingVerdictView } from '@vj/shared';
import { apiRequest } from '@vj/client';
import { useApi, type TokenSource } from '../api';
import { TR } from '../recording-strings';
import { T } from '../strings';

/** A code the recorder wrote is named; any other ASCII text is the system's, not a person's: no English shown. */
function reasonText(reason: string): string {
  return TR.reasons[reason] ?? (/^[\x20-\x7e]+$/.test(reason) ? TR.otherReason : reason);
}

interface RecordingView {
  id: string;
  status: string;
  durationMs: number | null;
  sizeBytes: number;
  events: { at: string; kind: string; reason: string; actor: string | null }[];
  segments: { seq: number }[];
}

/** A recording in these states cannot be played yet: the call goes on, or its last segments are being stored. */
const UNFINISHED = ['recording', 'paused', 'finalizing'];
/** How often an unfinished recording is looked at again, so Play comes on by itself once it is stored. */
const REFRESH_MS = 2000;

/** A session's recording on its case page: what was kept, what happened to the recorder, audited playback. */
export function RecordingPanel({ sessionId, token, canVerify }: { sessionId: string; token: TokenSource; canVerify: boolean }) {
  const r = useApi<{ recording: RecordingView | null }>(token, `/api/sessions/${sessionId}/recording`);
  const status = r.data?.recording?.status;
  const unfinished = status !== undefined && UNFINISHED.includes(status);
  // The next look only once this one has answered (or failed): a slow answer is never cut off by the next.
  const { loading, reload } = r;
  useEffect(() => {
    if (!unfinished || loading) return;
    const t = setTimeout(reload, REFRESH_MS);
    return () => clearTimeout(t);
  }, [unfinished, loading, reload, r.data, r.error]);
  const [src, setSrc] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const rec = r.data?.recording;
  if (r.error && !r.data) return <p className="error">{T.loadFailed(r.error)}</p>;
  if (!r.data) return null;
  if (!rec) return <p className="hint">{TR.none}</p>;
  const play = async () => {
    setBusy(true);
    try {
      const g = await apiRequest<{ url: string }>('POST', `/api/recordings/${rec.id}/playback`, { token: token() });
      setSrc(g.url);
    } catch (err) {
      setMessage({ ok: false, text: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  };
  const verify = async () => {
    try {
      const v = await apiRequest<RecordingVerdictView>('GET', `/api/recordings/${rec.id}/verify`, { token: token() });
      setMessage(v.ok ? { ok: true, text: TR.verified(v.segments) } : { ok: false, text: TR.broken(v.firstBad!.seq, v.firstBad!.problem) });
    } catch (err) {
      setMessage({ ok: false, text: err instanceof Error ? err.message : String(err) });
    }
  };
  const minutes = rec.durationMs === null ? '—' : `${Math.floor(rec.durationMs / 60000)} 分 ${Math.round((rec.durationMs % 60000) / 1000)} 秒`;
  return (
    <section className="recording" data-testid="recording-panel">
      <h3>
        {TR.title} · {TR.status[rec.status] ?? rec.status}
      </h3>
      <p className="hint">{TR.summary(minutes, (rec.sizeBytes / 1e6).toFixed(1), rec.segments.length)}</p>
      <ul className="rec-events">
        {rec.events
          .filter((e) => e.kind !== 'track_start')
          .map((e, i) => (
            <li key={i}>
              {new Date(e.at).toLocaleTimeString('zh-CN')} {TR.events[e.kind] ?? e.kind}
              {e.actor && ` · ${e.actor}`}
              {e.reason && `：${reasonText(e.reason)}`}
            </li>
          ))}
      </ul>
      <div className="actions">
        {canVerify && <button onClick={() => void verify()}>{TR.verify}</button>}
        <button disabled={busy || UNFINISHED.includes(rec.status)} onClick={() => void play()} data-testid="recording-play">
          {busy ? TR.preparing : TR.play}
        </button>
      </div>
      {UNFINISHED.includes(rec.status) && (
        <p className="hint" data-testid="recording-not-yet">
          {TR.notYet}
        </p>
      )}
      {r.error && <p className="error">{T.loadFailed(r.error)}</p>}
      {message && <p className={message.ok ? 'hint' : 'error'}>{message.text}</p>}
      {src && <video src={src} controls autoPlay className="playback" data-testid="recording-video" />}
    </section>
  );
}
