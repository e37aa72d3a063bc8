import { useState, type FormEvent } from 'react';
import {
  OPINION_PURPOSES,
  OPINION_VERDICTS,
  localDay,
  type OpinionCandidateView,
  type OpinionDetail,
  type OpinionListAnswer,
  type OpinionPurpose,
  type OpinionVerdict,
} from '@vj/shared';
import { apiRequest } from '@vj/client';
import { useAction, useApi, type TokenSource } from '../api';
import { ListView } from '../components/ListView';
import { PendingPanel } from '../components/PendingPanel';
import { chinaDay } from '../format';
import { TO } from '../opinion-strings';

/**
 * 廉政意见回复: the requests on the left, a request's opinions (or the form to record one) on the right.
 * 党风政风监督室 records and rewords; a commission leader signs; the signed reply prints as a page.
 */
export function Opinions({ token, canWrite, canSign }: { token: TokenSource; canWrite: boolean; canSign: boolean }) {
  const list = useApi<OpinionListAnswer>(token, '/api/opinions', 60_000);
  const [open, setOpen] = useState<string>();
  const [writing, setWriting] = useState(false);
  return (
    <div className="split letters opinions">
      <section className="panel" data-testid="opinions">
        <div className="panel-head">
          <h2>{TO.title}</h2>
          {canWrite && (
            <button className="primary" onClick={() => (setWriting(true), setOpen(undefined))} data-testid="opinion-new">
              {TO.newRequest}
            </button>
          )}
        </div>
        <p className="hint">{TO.hint}</p>
        <ListView
          rows={list.data?.items}
          error={list.error}
          loading={!list.data && !list.error}
          empty={TO.empty}
          columns={TO.columns}
          testId="opinions-list"
          row={(r) => (
            <tr
              key={r.id}
              className={open === r.id ? 'selected' : undefined}
              onClick={() => (setOpen(r.id), setWriting(false))}
              data-testid={`opinion-${r.id}`}
            >
              <td>
                {r.requester}
                <br />
                <span className="hint">{r.docNumber}</span>
              </td>
              <td>{TO.purposes[r.purpose]}</td>
              <td>{r.candidates}</td>
              <td className={r.blocked ? 'late' : undefined}>{r.blocked}</td>
              <td>{r.hold}</td>
              <td>{TO.states[r.state]}</td>
            </tr>
          )}
        />
        {list.data?.truncated && <p className="hint">{TO.truncated(list.data.items.length)}</p>}
      </section>
      {writing && <RequestForm token={token} onCancel={() => setWriting(false)} onDone={(id) => (setWriting(false), setOpen(id), list.reload())} />}
      {open && !writing && (
        <RequestPage key={open} id={open} token={token} canWrite={canWrite} canSign={canSign} onClose={() => setOpen(undefined)} onChange={list.reload} />
      )}
    </div>
  );
}

function RequestForm({ token, onCancel, onDone }: { token: TokenSource; onCancel: () => void; onDone: (id: string) => void }) {
  // One id per form: a retry after a lost answer records the request once.
  const [id] = useState(() => crypto.randomUUID());
  const [purpose, setPurpose] = useState<OpinionPurpose>('promotion');
  const [requester, setRequester] = useState('');
  const [docNumber, setDocNumber] = useState('');
  const [receivedOn, setReceivedOn] = useState(() => localDay());
  const [codes, setCodes] = useState('');
  const save = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = { id, purpose, requester, docNumber, receivedOn, codes: codes.split(/[\s,，、；;]+/).filter(Boolean) };
    void save.run(
      () => apiRequest<OpinionDetail>('POST', '/api/opinions', { token: token(), body }),
      () => onDone(id),
    );
  };
  return (
    <section className="panel letter-form" data-testid="opinion-form">
      <div className="panel-head">
        <h2>{TO.form.title}</h2>
        <button className="link" type="button" onClick={onCancel}>
          {TO.form.cancel}
        </button>
      </div>
      <form onSubmit={submit}>
        <div className="row">
          <label>
            {TO.form.purpose}
            <select value={purpose} onChange={(e) => setPurpose(e.target.value as OpinionPurpose)} data-testid="opinion-purpose">
              {OPINION_PURPOSES.map((p) => (
                <option key={p} value={p}>
                  {TO.purposes[p]}
                </option>
              ))}
            </select>
          </label>
          <label className="grow">
            {TO.form.requester}
            <input
              value={requester}
              maxLength={60}
              placeholder={TO.form.requesterHint}
              onChange={(e) => setRequester(e.target.value)}
              data-testid="opinion-requester"
            />
          </label>
        </div>
        <div className="row">
          <label className="grow">
            {TO.form.docNumber}
            <input
              value={docNumber}
              maxLength={60}
              placeholder={TO.form.docNumberHint}
              onChange={(e) => setDocNumber(e.target.value)}
              data-testid="opinion-doc"
            />
          </label>
          <label>
            {TO.form.receivedOn}
            <input type="date" value={receivedOn} max={localDay()} onChange={(e) => setReceivedOn(e.target.value)} data-testid="opinion-received" />
          </label>
        </div>
        <label>
          {TO.form.codes}
          <textarea rows={4} value={codes} placeholder={TO.form.codesHint} onChange={(e) => setCodes(e.target.value)} data-testid="opinion-codes" />
        </label>
        {save.error && (
          <p className="error" data-testid="opinion-form-error">
            {save.error}
          </p>
        )}
        <div className="actions">
          <button className="primary" type="submit" disabled={save.busy} data-testid="opinion-submit">
            {save.busy ? TO.form.submitting : TO.form.submit}
          </button>
        </div>
      </form>
    </section>
  );
}

function RequestPage(props: { id: string; token: TokenSource; canWrite: boolean; canSign: boolean; onClose: () => void; onChange: () => void }) {
  const v = useApi<OpinionDetail>(props.token, `/api/opinions/${props.id}`);
  const sign = useAction();
  if (v.error || !v.data) return <PendingPanel loaded={v} />;
  const r = v.data;
  const draft = r.state === 'draft';
  const changed = () => (v.reload(), props.onChange());
  return (
    <section className="panel letter-page opinion-page" data-testid="opinion-page">
      <div className="panel-head no-print">
        <h2>{TO.title}</h2>
        <button className="link" onClick={props.onClose}>
          {TO.page.close}
        </button>
      </div>
      <div className="reply">
        <h3 className="print-only">
          {TO.page.replyTitle}
          {draft && TO.page.draftMark}
        </h3>
        <p className="print-only">{TO.page.replyTo(r.requester, r.docNumber)}</p>
        <dl className="facts no-print">
          <dt>{TO.page.facts.requester}</dt>
          <dd>{r.requester}</dd>
          <dt>{TO.page.facts.docNumber}</dt>
          <dd>{r.docNumber}</dd>
          <dt>{TO.page.facts.receivedOn}</dt>
          <dd>{r.receivedOn}</dd>
          <dt>{TO.page.facts.purpose}</dt>
          <dd>{TO.purposes[r.purpose]}</dd>
          <dt>{TO.page.facts.createdBy}</dt>
          <dd>{r.createdBy}</dd>
          <dt>{TO.page.facts.signed}</dt>
          <dd data-testid="opinion-signed">{r.state === 'signed' ? TO.page.signedBy(r.signedBy, chinaDay(r.signedAt)) : TO.page.unsigned}</dd>
        </dl>
        <p data-testid="opinion-summary">{TO.page.summary(r.candidates, r.blocked, r.hold)}</p>
        <ol className="opinion-items" data-testid="opinion-items">
          {r.items.map((c) => (
            <CandidateItem key={c.code} c={c} id={r.id} token={props.token} canEdit={props.canWrite && draft} onDone={changed} />
          ))}
        </ol>
        <p className="hint">{TO.page.asOf(r.asOf)}</p>
        {r.state === 'signed' && <p className="print-only">{TO.page.signedBy(r.signedBy, chinaDay(r.signedAt))}</p>}
      </div>
      {sign.error && <p className="error">{sign.error}</p>}
      <div className="actions no-print">
        <button onClick={() => window.print()} data-testid="opinion-print">
          {TO.page.print}
        </button>
        {props.canSign && draft && (
          <button
            className="primary"
            disabled={sign.busy}
            data-testid="opinion-sign"
            onClick={() => {
              if (!window.confirm(TO.page.signConfirm)) return;
              void sign.run(() => apiRequest('POST', `/api/opinions/${r.id}/sign`, { token: props.token() }), changed);
            }}
          >
            {sign.busy ? TO.page.signing : TO.page.sign}
          </button>
        )}
      </div>
    </section>
  );
}

function CandidateItem({ c, id, token, canEdit, onDone }: { c: OpinionCandidateView; id: string; token: TokenSource; canEdit: boolean; onDone: () => void }) {
  const [editing, setEditing] = useState(false);
  const [verdict, setVerdict] = useState<OpinionVerdict>(c.verdict);
  const [text, setText] = useState(c.text);
  const save = useAction();
  return (
    <li data-testid={`opinion-item-${c.code}`}>
      <p>
        <span className={`tag verdict-${c.verdict}`}>{TO.verdicts[c.verdict]}</span>
        {c.verdict !== c.drafted && <span className="hint no-print">{TO.page.drafted(TO.verdicts[c.drafted])}</span>}
        {c.editedBy && <span className="hint no-print">{TO.page.edited(c.editedBy)}</span>}
      </p>
      {!editing && <p className="narrative">{c.text}</p>}
      {canEdit && !editing && (
        <button className="link no-print" onClick={() => setEditing(true)} data-testid="opinion-edit">
          {TO.page.edit}
        </button>
      )}
      {editing && (
        <form
          className="letter-step no-print"
          onSubmit={(e) => {
            e.preventDefault();
            void save.run(
              () => apiRequest('PUT', `/api/opinions/${id}/candidates/${encodeURIComponent(c.code)}`, { token: token(), body: { verdict, text } }),
              () => (setEditing(false), onDone()),
            );
          }}
        >
          <label>
            {TO.page.verdict}
            <select value={verdict} onChange={(e) => setVerdict(e.target.value as OpinionVerdict)} data-testid="opinion-verdict">
              {OPINION_VERDICTS.map((v) => (
                <option key={v} value={v}>
                  {TO.verdicts[v]}
                </option>
              ))}
            </select>
          </label>
          <label>
            {TO.page.text}
            <textarea rows={4} maxLength={2000} value={text} onChange={(e) => setText(e.target.value)} data-testid="opinion-text" />
          </label>
          {save.error && <p className="error">{save.error}</p>}
          <div className="actions">
            <button type="button" className="link" onClick={() => setEditing(false)}>
              {TO.page.cancel}
            </button>
            <button className="primary" type="submit" disabled={save.busy} data-testid="opinion-save">
              {save.busy ? TO.page.saving : TO.page.save}
            </button>
          </div>
        </form>
      )}
    </li>
  );
}
