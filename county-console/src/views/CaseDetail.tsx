import { useState } from 'react';
import type { CaseWorkflowView, CountyPetitionView, RevealResult, Role } from '@vj/shared';
import { apiRequest } from '@vj/client';
import { useAction, useApi, useDownload, type TokenSource } from '../api';
import { CrossReference } from '../components/CrossReference';
import { JurisdictionPanel } from '../components/JurisdictionPanel';
import { RecordingPanel } from '../components/RecordingPanel';
import { WorkflowPanel } from '../components/WorkflowPanel';
import { evidenceLabel } from '../format';
import { TC } from '../case-strings';
import { TJ } from '../jurisdiction-strings';
import { TS } from '../sealed-strings';
import { T } from '../strings';

export function CaseDetail(props: { id: string; role: Role; token: TokenSource; roomName: (c: string) => string; onChanged: () => void }) {
  const p = useApi<CountyPetitionView>(props.token, `/api/petitions/${props.id}`);
  const wf = useApi<CaseWorkflowView>(props.token, `/api/petitions/${props.id}/workflow`);
  const [revealing, setRevealing] = useState(false);
  const [sealing, setSealing] = useState(false);
  const [sealedNow, setSealedNow] = useState(false);
  const files = useDownload(props.token);
  if (sealedNow)
    return (
      <section className="panel" data-testid="case-sealed">
        <p>{TS.sealed}</p>
      </section>
    );
  if (!p.data) return <section className="panel">{p.error ? <p className="error">{T.loadFailed(p.error)}</p> : <p className="hint">{T.loading}</p>}</section>;
  const c = p.data;
  return (
    <section className="panel detail" data-testid="case-detail">
      <h2>
        {T.detailTitle} {c.caseCode}
      </h2>
      <dl>
        <dt>{T.filterTownship}</dt>
        <dd>{props.roomName(c.townshipCode)}</dd>
        <dt>{TC.matterClass}</dt>
        <dd data-testid="detail-class">
          {TC.matterClasses[c.matterClass]}
          {c.route && ` · ${TC.routes[c.route]}`}
          {c.otherBody && ` · ${c.otherBody}`}
        </dd>
        <dt>{T.category}</dt>
        <dd>{c.category}</dd>
        <dt>{T.filterStatus}</dt>
        <dd>{T.status[c.status]}</dd>
        <dt>{T.accusedTitle}</dt>
        <dd>{c.accused.map((a) => [a.name, a.unit, a.position, TJ.levels[a.managementLevel]].filter(Boolean).join(' · ')).join('；') || '—'}</dd>
      </dl>
      <p className="narrative">{c.narrative}</p>
      {c.attachments.length > 0 && (
        <ul className="files">
          {c.attachments.map((a, i) => (
            <li key={a.id} data-testid="evidence">
              {evidenceLabel(i, a.mime, a.sizeBytes)}{' '}
              <button className="link" onClick={() => files.download(`/api/petitions/${c.id}/attachments/${a.id}`, T.fileFallback.attachment)}>
                {T.download}
              </button>
            </li>
          ))}
        </ul>
      )}
      {files.error && <p className="error">{files.error}</p>}
      {c.sessionId && <RecordingPanel sessionId={c.sessionId} token={props.token} canVerify={props.role === 'county_supervisor'} />}
      <CrossReference id={c.id} token={props.token} roomName={props.roomName} />
      <JurisdictionPanel
        petition={c}
        token={props.token}
        onChanged={() => {
          p.reload();
          props.onChanged();
        }}
      />
      {wf.data && (
        <WorkflowPanel
          base={`/api/petitions/${c.id}`}
          role={props.role}
          token={props.token}
          workflow={wf.data}
          referBar={c.referralBars[0] && TJ.bars[c.referralBars[0]]}
          onChanged={() => {
            wf.reload();
            p.reload();
            props.onChanged();
          }}
        />
      )}
      {wf.error && <p className="error">{T.loadFailed(wf.error)}</p>}
      <div className="actions">
        {/* An anonymous matter has no identity to see: no button that asks for a reason and audits, to say so. */}
        {c.anonymous ? (
          <span className="hint" data-testid="anonymous-note">
            {T.revealAnonymous}
          </span>
        ) : (
          <button className="warn" onClick={() => setRevealing(true)} data-testid="reveal-button">
            {T.revealButton}
          </button>
        )}
        {props.role === 'county_supervisor' && (
          <button className="warn" onClick={() => setSealing(true)} data-testid="seal-button">
            {TS.sealButton}
          </button>
        )}
      </div>
      {props.role !== 'county_supervisor' && <p className="hint">{TS.sealAskSupervisor}</p>}
      {sealing && (
        <SealDialog
          id={c.id}
          token={props.token}
          onClose={() => setSealing(false)}
          onSealed={() => {
            setSealedNow(true);
            props.onChanged();
          }}
        />
      )}
      {revealing && <RevealDialog id={c.id} anonymous={c.anonymous} token={props.token} onClose={() => setRevealing(false)} />}
    </section>
  );
}

function RevealDialog(props: { id: string; anonymous: boolean; token: TokenSource; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const [result, setResult] = useState<RevealResult>();
  const [error, setError] = useState<string>();
  const reveal = async () => {
    try {
      setResult(await apiRequest<RevealResult>('POST', `/api/petitions/${props.id}/reveal`, { token: props.token(), body: { reason } }));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="reveal-title">
      <div className="dialog-card">
        <h3 id="reveal-title">{T.revealTitle}</h3>
        {!result ? (
          <>
            <p className="warn-text">{T.revealWarning}</p>
            <textarea rows={3} placeholder={T.revealReason} value={reason} onChange={(e) => setReason(e.target.value)} data-testid="reveal-reason" />
            {error && <p className="error">{error}</p>}
            <div className="actions">
              <button onClick={props.onClose}>{T.close}</button>
              <button className="warn" disabled={reason.trim().length < 5} onClick={() => void reveal()} data-testid="reveal-confirm">
                {T.revealConfirm}
              </button>
            </div>
          </>
        ) : (
          <>
            {props.anonymous ? (
              <p>{T.revealAnonymous}</p>
            ) : (
              <dl data-testid="revealed-identity">
                <dt>{T.idName}</dt>
                <dd>{result.identity.name || '—'}</dd>
                <dt>{T.idCard}</dt>
                <dd>{result.identity.idCard || '—'}</dd>
                <dt>{T.idPhone}</dt>
                <dd>{result.identity.phone || '—'}</dd>
                <dt>{T.idVillage}</dt>
                <dd>{result.identity.village || '—'}</dd>
                <dt>{T.idAddress}</dt>
                <dd>{result.identity.address || '—'}</dd>
              </dl>
            )}
            <p className="hint">{T.revealAudited(result.auditSeq)}</p>
            <div className="actions">
              <button onClick={props.onClose}>{T.close}</button>
            </div>
          </>
        )}
      </div>
    </div>
  );
}

/** 密封 (the supervisor's): the matter leaves their screens too, at once; only the principal leader reads it from then on. */
function SealDialog(props: { id: string; token: TokenSource; onClose: () => void; onSealed: () => void }) {
  const [reason, setReason] = useState('');
  const act = useAction();
  const seal = () => act.run(() => apiRequest('POST', `/api/petitions/${props.id}/seal`, { token: props.token(), body: { reason } }), props.onSealed);
  return (
    <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="seal-title">
      <div className="dialog-card">
        <h3 id="seal-title">{TS.sealTitle}</h3>
        <p className="warn-text">{TS.sealWarning}</p>
        <textarea rows={3} placeholder={TS.sealReason} value={reason} onChange={(e) => setReason(e.target.value)} data-testid="seal-reason" />
        {act.error && <p className="error">{act.error}</p>}
        <div className="actions">
          <button onClick={props.onClose}>{TS.cancel}</button>
          <button className="warn" disabled={act.busy || reason.trim().length < 2} onClick={() => void seal()} data-testid="seal-confirm">
            {TS.sealConfirm}
          </button>
        </div>
      </div>
    </div>
  );
}
