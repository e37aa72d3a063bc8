import { useState } from 'react';
import type { SealedListAnswer, SealedMatterView, SealedReader } from '@vj/shared';
import { apiRequest } from '@vj/client';
import { useAction, useApi, type TokenSource } from '../api';
import { ListView } from '../components/ListView';
import { ChooseHint } from '../components/ChooseHint';
import { T } from '../strings';
import { chinaDay } from '../format';
import { TS } from '../sealed-strings';

/**
 * The principal leader's page: the sealed matters (those about the county commission's own leadership), each with
 * its detail, 报送上级纪委监委 and 解除密封. Nothing here reaches any other screen. The supervisor's page is the same
 * list of the matters no leader may read (they name the leader), with 报送 only.
 */
export function SealedMatters({ token }: { token: TokenSource }) {
  const list = useApi<SealedListAnswer>(token, '/api/sealed');
  const [open, setOpen] = useState<string>();
  const [unsealed, setUnsealed] = useState(false);
  const chosen = list.data?.items.find((i) => i.id === open);
  const office = list.data?.reader === 'office';
  return (
    <div className="split">
      <section className="panel" data-testid="sealed-list">
        <h2>{office ? TS.officeTitle : TS.title}</h2>
        <p className="hint">{office ? TS.officeHint : TS.hint}</p>
        {/* The unsealing just done, said above the list (and above a failed reload's error). */}
        {unsealed && (
          <p className="notice" data-testid="sealed-unsealed">
            {TS.unsealed}
          </p>
        )}
        <ListView
          rows={list.data?.items}
          error={list.error}
          errorTestId="sealed-error"
          loading={!list.data && !list.error}
          empty={office ? TS.officeEmpty : TS.empty}
          columns={TS.columns}
          row={(m) => (
            <tr
              key={m.id}
              className={open === m.id ? 'selected' : undefined}
              onClick={() => {
                setOpen(m.id);
                setUnsealed(false);
              }}
              data-testid={`sealed-${m.caseCode}`}
            >
              <td>{m.caseCode}</td>
              <td>{chinaDay(m.createdAt)}</td>
              <td>{m.sealedAtIntake ? TS.sealedAtIntake : TS.sealedLater}</td>
              <td>{m.sentUp ? TS.sentTo(m.sentUp.to) : TS.notSent}</td>
            </tr>
          )}
        />
      </section>
      {!chosen && <ChooseHint text={T.chooseSealed} rows={list.data?.items} />}
      {chosen && list.data && (
        <SealedDetail
          key={chosen.id}
          m={chosen}
          reader={list.data.reader}
          token={token}
          onChanged={list.reload}
          onUnsealed={() => {
            setUnsealed(true);
            setOpen(undefined);
            list.reload();
          }}
        />
      )}
    </div>
  );
}

function SealedDetail({
  m,
  reader,
  token,
  onChanged,
  onUnsealed,
}: {
  m: SealedMatterView;
  reader: SealedReader;
  token: TokenSource;
  onChanged: () => void;
  onUnsealed: () => void;
}) {
  const [to, setTo] = useState<string>(TS.sendUpToDefault);
  const [note, setNote] = useState('');
  const send = useAction();
  const sendUp = () => send.run(() => apiRequest<SealedMatterView>('POST', `/api/sealed/${m.id}/send-up`, { token: token(), body: { to, note } }), onChanged);
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
      <p className="narrative" data-testid="sealed-narrative">
        {m.narrative}
      </p>
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
          {send.error && <p className="error">{send.error}</p>}
          <div className="actions">
            <button className="primary" type="submit" disabled={send.busy || to.trim().length < 2} data-testid="send-up">
              {TS.sendUpButton}
            </button>
          </div>
        </form>
      )}
      {reader === 'leader' && !m.sentUp && <UnsealForm id={m.id} token={token} onUnsealed={onUnsealed} />}
    </section>
  );
}

/** 解除密封: a matter sealed by mistake goes back to the county office, with the leader's reason. */
function UnsealForm({ id, token, onUnsealed }: { id: string; token: TokenSource; onUnsealed: () => void }) {
  const [reason, setReason] = useState('');
  const act = useAction();
  return (
    <form
      className="unseal"
      onSubmit={(e) => {
        e.preventDefault();
        void act.run(() => apiRequest('POST', `/api/sealed/${id}/unseal`, { token: token(), body: { reason } }), onUnsealed);
      }}
    >
      <h3>{TS.unsealTitle}</h3>
      <p className="hint">{TS.unsealHint}</p>
      <label>
        {TS.unsealReason}
        <textarea rows={2} value={reason} onChange={(e) => setReason(e.target.value)} data-testid="unseal-reason" />
      </label>
      {act.error && <p className="error">{act.error}</p>}
      <div className="actions">
        <button className="warn" type="submit" disabled={act.busy || reason.trim().length < 2} data-testid="unseal">
          {TS.unsealButton}
        </button>
      </div>
    </form>
  );
}
