import { useState } from 'react';
import type { FollowUpListAnswer, FollowUpTaskView, Role } from '@vj/shared';
import { apiRequest } from '@vj/client';
import { useApi, userMessage, type TokenSource } from '../api';
import { chinaDay } from '../format';
import { TS } from '../satisfaction-strings';
import { ListView } from './ListView';
import { DueBadge } from './WorkflowPanel';

const REFRESH_MS = 30_000;

/**
 * The follow-up tasks of 不满意 ratings, most urgent first, on the deadline board. Officers see them; a supervisor
 * closes one with a note of what the follow-up found.
 */
export function FollowUpTasks({ token, role, roomName }: { token: TokenSource; role: Role; roomName: (c: string) => string }) {
  const list = useApi<FollowUpListAnswer>(token, '/api/cases/follow-ups?state=open', REFRESH_MS);
  const canClose = role === 'county_supervisor';
  return (
    <section className="panel" data-testid="follow-ups">
      <h2>{TS.followUpsTitle}</h2>
      <p className="hint">{TS.followUpsHint}</p>
      <ListView
        rows={list.data?.items}
        error={list.error}
        empty={TS.followUpsEmpty}
        columns={canClose ? [...TS.followUpColumns, ''] : TS.followUpColumns}
        row={(t) => <TaskRow key={t.id} task={t} token={token} canClose={canClose} roomName={roomName} onClosed={list.reload} />}
      />
    </section>
  );
}

function TaskRow({
  task,
  token,
  canClose,
  roomName,
  onClosed,
}: {
  task: FollowUpTaskView;
  token: TokenSource;
  canClose: boolean;
  roomName: (c: string) => string;
  onClosed: () => void;
}) {
  const [closing, setClosing] = useState(false);
  const [note, setNote] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const reasons = [...task.reasons.map((r) => TS.reasons[r]), ...(task.reasonText ? [task.reasonText] : [])].join('；') || TS.followUpNoReason;
  const save = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await apiRequest('POST', `/api/cases/follow-ups/${task.id}/close`, { token: token(), body: { note } });
      onClosed();
    } catch (err) {
      setError(userMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <tr data-testid={`follow-up-${task.caseCode}`}>
        <td>
          <DueBadge state={task.dueState} />
        </td>
        <td>{task.caseCode}</td>
        <td>{roomName(task.townshipCode)}</td>
        <td className="bad">{TS.ratings[task.rating]}</td>
        <td>{reasons}</td>
        <td>{new Date(task.openedAt).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai' })}</td>
        <td>{chinaDay(task.dueAt)}</td>
        {canClose && (
          <td>
            {!closing && (
              <button className="link" onClick={() => setClosing(true)} data-testid={`follow-up-close-${task.caseCode}`}>
                {TS.followUpClose}
              </button>
            )}
          </td>
        )}
      </tr>
      {closing && (
        <tr>
          <td colSpan={8}>
            <label>
              {TS.followUpNote}
              <textarea
                value={note}
                onChange={(e) => setNote(e.target.value)}
                placeholder={TS.followUpNotePlaceholder}
                rows={3}
                maxLength={2000}
                data-testid="follow-up-note"
              />
            </label>
            {error && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
            <button className="primary" disabled={busy || note.trim().length < 5} onClick={() => void save()} data-testid="follow-up-save">
              {TS.followUpSave}
            </button>{' '}
            <button className="link" onClick={() => setClosing(false)}>
              {TS.followUpCancel}
            </button>
          </td>
        </tr>
      )}
    </>
  );
}
