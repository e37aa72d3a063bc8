import { useState } from 'react';
import type { CalendarImportAnswer } from '@vj/shared';
import { apiRequest } from '@vj/client';
import type { TokenSource } from '../api';
import { TC } from '../case-strings';

const MAX_FILE_BYTES = 60_000;

/** Decodes a saved notice: UTF-8, else GB18030 (what a Chinese Windows "save as text" writes). */
async function fileText(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

/**
 * The year's holiday arrangement: paste the State Council's notice (or choose it saved as a text file), read what it
 * sets, then import. Nothing changes until the administrator has seen the days and the changes and confirmed.
 */
export function CalendarImport({ token, onApplied }: { token: TokenSource; onApplied?: () => void }) {
  const [year, setYear] = useState(() => new Date().getFullYear() + (new Date().getMonth() >= 9 ? 1 : 0));
  const [text, setText] = useState('');
  const [preview, setPreview] = useState<CalendarImportAnswer>();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();

  const send = async (apply: boolean) => {
    setBusy(true);
    setMessage(undefined);
    try {
      const answer = await apiRequest<CalendarImportAnswer>('POST', '/api/case-policy/calendar-import', { token: token(), body: { year, text, apply } });
      setPreview(answer);
      if (apply) {
        setMessage({ ok: true, text: TC.calendarApplied(answer.year, answer.days.length) });
        onApplied?.();
      }
    } catch (err) {
      setMessage({ ok: false, text: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  };
  const choose = async (file: File) => {
    if (file.size > MAX_FILE_BYTES) return setMessage({ ok: false, text: TC.calendarFileTooBig });
    setText(await fileText(file));
    setPreview(undefined);
  };
  const edited = (t: string) => {
    setText(t);
    setPreview(undefined);
  };

  const ready = preview && !preview.applied && preview.problems.length === 0 && preview.year === year;
  return (
    <div className="import-card" data-testid="calendar-import">
      <strong>{TC.calendarImportTitle}</strong>
      <p className="hint">{TC.calendarImportHint}</p>
      <label>
        {TC.calendarYear}{' '}
        <input
          type="number"
          min={2000}
          max={2100}
          value={year}
          onChange={(e) => (setYear(Number(e.target.value)), setPreview(undefined))}
          data-testid="calendar-year"
        />
      </label>
      <label>
        {TC.calendarFile}{' '}
        <input
          type="file"
          accept=".txt,.csv,text/plain,text/csv"
          onChange={(e) => e.target.files?.[0] && void choose(e.target.files[0])}
          data-testid="calendar-file"
        />
      </label>
      <textarea rows={6} value={text} onChange={(e) => edited(e.target.value)} placeholder={TC.calendarPlaceholder} data-testid="calendar-text" />
      <div className="actions">
        <button disabled={busy || !text.trim()} onClick={() => void send(false)} data-testid="calendar-preview">
          {TC.calendarPreview}
        </button>
        <button className="primary" disabled={busy || !ready} onClick={() => void send(true)} data-testid="calendar-apply">
          {TC.calendarApply}
        </button>
      </div>
      {message && (
        <p className={message.ok ? 'hint' : 'error'} role="status">
          {message.text}
        </p>
      )}
      {preview && preview.problems.length > 0 && (
        <ul className="error" data-testid="calendar-problems">
          {preview.problems.map((p, i) => (
            <li key={i}>{p}</li>
          ))}
        </ul>
      )}
      {preview && preview.problems.length === 0 && (
        <>
          <p role="status" data-testid="calendar-summary">
            {TC.calendarSummary(
              preview.days.filter((d) => !d.working).length,
              preview.days.filter((d) => d.working).length,
              preview.added,
              preview.changed,
              preview.removed.length,
            )}
          </p>
          <table className="table compact" data-testid="calendar-days">
            <thead>
              <tr>
                <th>{TC.calendarDay}</th>
                <th>{TC.calendarKind}</th>
                <th>{TC.calendarNote}</th>
              </tr>
            </thead>
            <tbody>
              {preview.days.map((d) => (
                <tr key={d.day}>
                  <td>{d.day}</td>
                  <td>{d.working ? TC.calendarWorking : TC.calendarOff}</td>
                  <td>{d.note}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {preview.removed.length > 0 && <p className="hint">{TC.calendarRemoved(preview.removed.join('、'))}</p>}
        </>
      )}
    </div>
  );
}
