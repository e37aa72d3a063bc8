import type { CrossReferenceView } from '@vj/shared';
import { useApi, type TokenSource } from '../api';
import { TC } from '../case-strings';
import { T } from '../strings';

/** What the registry knows about each person the petition names, and who else has named them. */
export function CrossReference({ id, token, roomName }: { id: string; token: TokenSource; roomName: (c: string) => string }) {
  const x = useApi<CrossReferenceView>(token, `/api/petitions/${id}/cross-reference`);
  if (!x.data) return x.error ? <p className="error">{T.loadFailed(x.error)}</p> : null;
  if (x.data.accused.length === 0) return null;
  return (
    <section className="cross" data-testid="cross-reference">
      <h3>{TC.crossTitle}</h3>
      {x.data.accused.map((a, i) => (
        <div key={i} className="cross-person">
          <strong>
            {a.name}
            {a.unit && ` · ${a.unit}`}
          </strong>
          {a.matches.length === 0 && <p className="hint">{TC.crossNone}</p>}
          {a.matches.map((m) => (
            <div key={m.code} className="cross-match">
              <p>
                <span className="badge">{m.linked ? TC.crossLinked : TC.crossCandidate}</span> {m.name} · {m.unitName ?? '—'} · {m.position || '—'} ({m.code})
              </p>
              <p className="cross-label">{TC.crossDiscipline}</p>
              {m.discipline.length === 0 ? (
                <p className="hint">{TC.crossNoDiscipline}</p>
              ) : (
                <ul data-testid="cross-discipline">
                  {m.discipline.map((d) => (
                    <li key={d.id}>
                      {d.decidedOn} {d.kind}：{d.reason}（{d.authority}）
                    </li>
                  ))}
                </ul>
              )}
              <p className="cross-label">{TC.crossOthers}</p>
              {m.otherPetitions.length === 0 ? (
                <p className="hint">{TC.crossNoOthers}</p>
              ) : (
                <ul data-testid="cross-others">
                  {m.otherPetitions.map((p) => (
                    <li key={p.id}>
                      {p.caseCode} · {roomName(p.townshipCode)} · {T.status[p.status]} · {new Date(p.createdAt).toLocaleDateString('zh-CN')}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          ))}
        </div>
      ))}
    </section>
  );
}
