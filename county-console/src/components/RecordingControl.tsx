import { useState } from 'react';
import { apiRequest } from '@vj/client';
import type { TokenSource } from '../api';
import { TR } from '../recording-strings';

/** The recorder's state in the opened session; a supervisor may pause or resume it, with a reason. */
export function RecordingControl(p: { sessionId: string; state: 'recording' | 'paused' | null; supervisor: boolean; token: TokenSource }) {
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  if (!p.state) return <span className="rec-state off">{TR.notRecording}</span>;
  const toggle = async () => {
    try {
      await apiRequest('POST', `/api/sessions/${p.sessionId}/recording/pause`, { token: p.token(), body: { paused: p.state === 'recording', reason } });
      setAsking(false);
      setReason('');
      setError(undefined);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <span className="rec-control">
      <span className={p.state === 'recording' ? 'rec-state on' : 'rec-state'} data-testid="console-recording">
        {p.state === 'recording' ? TR.recording : TR.paused}
      </span>
      {p.supervisor && !asking && (
        <button onClick={() => setAsking(true)} data-testid="recording-toggle">
          {p.state === 'recording' ? TR.pause : TR.resume}
        </button>
      )}
      {asking && (
        <>
          <input value={reason} placeholder={TR.reason} onChange={(e) => setReason(e.target.value)} data-testid="recording-reason" />
          <button disabled={reason.trim().length < 5} onClick={() => void toggle()} data-testid="recording-confirm">
            {TR.confirm}
          </button>
          <button onClick={() => setAsking(false)}>{TR.cancel}</button>
        </>
      )}
      {error && <span className="error">{error}</span>}
    </span>
  );
}
