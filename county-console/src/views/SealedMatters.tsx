import { useState } from 'react';
import type { SealedListAnswer, SealedMatterView } from '@vj/shared';
import { apiRequest } from '@vj/client';
import { useApi, type TokenSource } from '../api';
import { chinaDay } from '../format';
import { TS } from '../sealed-strings';
import { T } from '../strings';

/**
 * The principal leader's page: the sealed matters (those about the county commission's own leadership), each with
 * its detail and one action, 报送上级纪委监委. Nothing here reaches any other screen.
 */
export function SealedMatters({ token }: { token: TokenSource }) {
  const list = useApi<SealedListAnswer>(token, '/api/sealed');
  const [open, setOpen] = useState<string>();
  const chosen = list.data?.items.find((i) => i.id === open);
  return (
    <div className="cases">
      <section className="panel" data-testid="sealed-list">
        <h2>{TS.title}</h2>
        <p className="hint">{TS.hint}</p>
        {list.error && <p className="error">{T.loadFailed(list.error)}</p>}
        {!list.data && !list.error && <p className="hint">{T.loading}</p>}
        {list.data?.items.length === 0 && <p className="empty">{TS.empty}</p>}
        {list.data && list.data.items.length > 0 && (
          <table className="table">
            <thead>
              <tr>
                {TS.columns.map((c) => (
                  <th key={c} scope="col">{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((m) => (
                <tr key={m.id} className={open === m.id ? 'selected' : undefined} onClick={() => setOpen(m.id)} data-testid={`sealed-${m.caseCode}`}>
                  <td>{m.caseCode}</td>
                  <td>{chinaDay(m.createdAt)}</td>
                  <td>{m.sealedAtIntake ? TS.sealedAtIntake : TS.sealedLater}</td>
                  <td>{m.sentUp ? TS.sentTo(m.sentUp.to) : TS.notSent}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {chosen && <SealedDetail key={chosen.id} m={chosen} token={token} onChanged={list.reload} />}
    </div>
  );
}

function SealedDetail({ m, token, onChanged }: { m: SealedMatterView; token: TokenSource; onChanged: () => void }) {
  const [to, setTo] = useState<string>(TS.sendUpToDefault);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const sendUp = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await apiRequest<SealedMatterView>('POST', `/api/sealed/${m.id}/send-up`, { token: token(), body: { to, note } });
      onChanged();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel detail" data-testid="sealed-detail">
      <h2>{TS.detailTitle(m.caseCode)}</h2>
      <dl>
        <dt>{TS.township}</dt>
        <dd>{m.townshipName}</dd>
        <dt>{TS.category}</dt>
        <dd>{m.category}</dd>
        <dt>{TS.identityKind}</dt>
        <dd>{m.anonymous ? TS.anonymous : TS.named}</dd>
        <dt>{TS.accused}</dt>
        <dd>{m.accused.map((a) => [a.name, a.unit, a.position].filter(Boolean).join(' · ')).join('；') || '—'}</dd>
        <dt>{TS.createdAt}</dt>
        <dd>{chinaDay(m.createdAt)}</dd>
        <dt>{TS.sealedAt}</dt>
        <dd>
          {chinaDay(m.sealedAt)}（{m.sealedAtIntake ? TS.sealedAtIntake : TS.sealedLater}）
        </dd>
        {m.sealedReason && (
          <>
            <dt>{TS.sealedReason}</dt>
            <dd>{m.sealedReason}</dd>
          </>
        )}
      </dl>
      <p className="narrative" data-testid="sealed-narrative">{m.narrative}</p>
      {m.sentUp ? (
        <div data-testid="sealed-sent">
          <p>{TS.sentUp(chinaDay(m.sentUp.at), m.sentUp.to, m.sentUp.byName)}</p>
          {m.sentUp.note && (
            <p className="hint">
              {TS.sentUpNote}：{m.sentUp.note}
            </p>
          )}
        </div>
      ) : (
        <form
          className="send-up"
          onSubmit={(e) => {
            e.preventDefault();
            void sendUp();
          }}
        >
          <h3>{TS.sendUpTitle}</h3>
          <label>
            {TS.sendUpTo}
            <input value={to} onChange={(e) => setTo(e.target.value)} data-testid="send-up-to" />
          </label>
          <label>
            {TS.sendUpNote}
            <textarea rows={2} value={note} onChange={(e) => setNote(e.target.value)} data-testid="send-up-note" />
          </label>
          {error && <p className="error">{error}</p>}
          <div className="actions">
            <button className="primary" type="submit" disabled={busy || to.trim().length < 2} data-testid="send-up">
              {TS.sendUpButton}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
