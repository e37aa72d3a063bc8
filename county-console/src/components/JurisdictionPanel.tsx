import { useState } from 'react';
import { MANAGEMENT_LEVELS, TOWNSHIP_STANDINGS, type CountyPetitionView, type ManagementLevel, type TownshipStanding } from '@vj/shared';
import { apiRequest } from '@vj/client';
import type { TokenSource } from '../api';
import { TJ } from '../jurisdiction-strings';

type Draft = { managementLevel: ManagementLevel; standing: TownshipStanding }[];

/**
 * Who the accused are, as the jurisdiction rule reads them, and whether the matter may go down to its township.
 * While the county still holds the matter it may confirm or correct each person's level (audited); a person linked
 * to the registry keeps the registry's level, which the server refuses to change.
 */
export function JurisdictionPanel(props: { petition: CountyPetitionView; token: TokenSource; onChanged: (p: CountyPetitionView) => void }) {
  const p = props.petition;
  const [draft, setDraft] = useState<Draft>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState(false);
  const editable = (p.status === 'received' || p.status === 'accepted') && p.accused.length > 0;
  const save = async () => {
    if (!draft) return;
    setBusy(true);
    setError(undefined);
    try {
      const body = { accused: draft.map((d, index) => ({ index, ...d })) };
      const fresh = await apiRequest<CountyPetitionView>('PUT', `/api/petitions/${p.id}/jurisdiction`, { token: props.token(), body });
      setDraft(undefined);
      setSaved(true);
      props.onChanged(fresh);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const set = (i: number, d: Partial<Draft[number]>) => setDraft(draft?.map((x, j) => (j === i ? { ...x, ...d } : x)));
  return (
    <section className="jurisdiction" data-testid="jurisdiction">
      <h3>{TJ.title}</h3>
      {p.accused.length === 0 && <p className="hint">{TJ.noAccused}</p>}
      <ul className="jurisdiction-list">
        {p.accused.map((a, i) => (
          <li key={i} data-testid="jurisdiction-accused">
            <strong>{a.name}</strong>
            {a.officialCode && <span className="hint"> {TJ.fromRegistry}</span>}
            {draft ? (
              <span className="jurisdiction-selects">
                <label>
                  {TJ.level}
                  <select
                    value={draft[i]!.managementLevel}
                    onChange={(e) => set(i, { managementLevel: e.target.value as ManagementLevel })}
                    data-testid={`jurisdiction-level-${i}`}
                  >
                    <LevelOptions />
                  </select>
                </label>
                <label>
                  {TJ.standing}
                  <select
                    value={draft[i]!.standing}
                    onChange={(e) => set(i, { standing: e.target.value as TownshipStanding })}
                    data-testid={`jurisdiction-standing-${i}`}
                  >
                    <StandingOptions />
                  </select>
                </label>
              </span>
            ) : (
              <span>
                {' '}
                · {TJ.levels[a.managementLevel]}
                {a.standing !== 'none' && ` · ${TJ.standings[a.standing]}`}
              </span>
            )}
          </li>
        ))}
      </ul>
      {p.referralBars.length > 0 ? (
        <div className="warn-text" role="note" data-testid="refer-barred">
          <strong>{TJ.referBarred}</strong>
          {p.referralBars.map((b) => (
            <p key={b}>{TJ.bars[b]}</p>
          ))}
        </div>
      ) : (
        p.accused.length > 0 && <p className="hint">{TJ.mayGoDown}</p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {saved && !draft && <p className="hint">{TJ.saved}</p>}
      {editable && (
        <div className="actions">
          {draft ? (
            <>
              <button onClick={() => setDraft(undefined)}>{TJ.cancel}</button>
              <button className="primary" disabled={busy} onClick={() => void save()} data-testid="jurisdiction-save">
                {TJ.save}
              </button>
            </>
          ) : (
            <button
              onClick={() => (setSaved(false), setDraft(p.accused.map((a) => ({ managementLevel: a.managementLevel, standing: a.standing }))))}
              data-testid="jurisdiction-edit"
            >
              {TJ.edit}
            </button>
          )}
        </div>
      )}
    </section>
  );
}

/** The choices of a level select, at intake and on the case alike: 未确定 says it must be settled before 交办. */
export function LevelOptions() {
  return (
    <>
      {MANAGEMENT_LEVELS.map((l) => (
        <option key={l} value={l}>
          {l === 'unknown' ? TJ.levelUnknownChoice : TJ.levels[l]}
        </option>
      ))}
    </>
  );
}

export function StandingOptions() {
  return (
    <>
      {TOWNSHIP_STANDINGS.map((s) => (
        <option key={s} value={s}>
          {TJ.standings[s]}
        </option>
      ))}
    </>
  );
}
