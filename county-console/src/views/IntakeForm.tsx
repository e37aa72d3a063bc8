import { useEffect, useState, type FormEvent } from 'react';
import {
  AppError,
  MATTER_CLASSES,
  PETITION_CATEGORIES,
  PetitionSubmitBody,
  type ManagementLevel,
  type MatterClass,
  type RoomView,
  type SubmitResult,
  type TownshipStanding,
} from '@vj/shared';
import { apiRequest } from '@vj/client';
import { uploadWithProgress, type TokenSource } from '../api';
import { TC } from '../case-strings';
import { FilePick } from '../components/FilePick';
import { LevelOptions, StandingOptions } from '../components/JurisdictionPanel';
import { RegistrySuggest } from '../components/RegistrySuggest';
import { TJ } from '../jurisdiction-strings';
import { TS } from '../sealed-strings';
import { T } from '../strings';

interface AccusedDraft {
  name: string;
  unit: string;
  position: string;
  /** A township official: referral to this township must then be avoided (conflict of interest). */
  townshipOfficial: boolean;
  /** The officials-archive entry the officer linked, if any. */
  officialCode: string | null;
  /** 分级负责: left 未确定, the matter cannot go down to a township until someone confirms it. */
  managementLevel: ManagementLevel;
  standing: TownshipStanding;
}
const newAccused = (): AccusedDraft => ({
  name: '',
  unit: '',
  position: '',
  townshipOfficial: false,
  officialCode: null,
  managementLevel: 'unknown',
  standing: 'none',
});
interface FileDraft {
  id: string;
  file: File;
  progress: number;
  error?: string;
}

const emptyIdentity = { name: '', idCard: '', phone: '', address: '', village: '' };

/**
 * Petition intake, linked to the live call when there is one. The petition id is made here once, so a
 * retry after a network failure can never register the petition twice; each file has its own id likewise.
 */
export function IntakeForm(props: { token: TokenSource; rooms: RoomView[]; session: { id: string; roomCode: string } | undefined }) {
  const [petitionId, setPetitionId] = useState(() => crypto.randomUUID());
  const [township, setTownship] = useState(props.session?.roomCode ?? props.rooms[0]?.code ?? '');
  const [category, setCategory] = useState<string>(PETITION_CATEGORIES[0]);
  // No class is preselected: the rules that apply turn on it, so the officer chooses every time.
  const [matterClass, setMatterClass] = useState<MatterClass | ''>('');
  const [otherBody, setOtherBody] = useState('');
  const [narrative, setNarrative] = useState('');
  const [accused, setAccused] = useState<AccusedDraft[]>([newAccused()]);
  const [anonymous, setAnonymous] = useState(false);
  // 密封事项: about the county commission's own leadership; stored sealed from the first insert.
  const [sealed, setSealed] = useState(false);
  const [identity, setIdentity] = useState(emptyIdentity);
  const [files, setFiles] = useState<FileDraft[]>([]);
  const [bad, setBad] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [canRetry, setCanRetry] = useState(false);
  const [receipt, setReceipt] = useState<SubmitResult>();
  // Whether the receipt came from a call: only then could it have reached a kiosk, and its absence needs saying.
  const [fromCall, setFromCall] = useState(false);

  // A call answered while the form is open links it; a draft already begun keeps its township.
  const sessionRoom = props.session?.roomCode;
  useEffect(() => {
    if (sessionRoom && !narrative) setTownship(sessionRoom);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sessionRoom]);

  const body = () => ({
    id: petitionId,
    sessionId: props.session?.id ?? null,
    townshipCode: township,
    category,
    matterClass: matterClass || undefined,
    otherBody: matterClass === 'other' ? otherBody : null,
    narrative,
    accused: accused.filter((a) => a.name.trim()).map(({ townshipOfficial, ...a }) => ({ ...a, townshipCode: townshipOfficial ? township : null })),
    identity: anonymous ? null : identity,
    sealed,
  });

  const uploadAll = async (id: string, token: string) => {
    for (const f of files) {
      if (f.progress >= 1) continue;
      try {
        await uploadWithProgress(`/api/petitions/${id}/attachments/${f.id}`, token, f.file, (p) =>
          setFiles((all) => all.map((x) => (x.id === f.id ? { ...x, progress: p } : x))),
        );
        setFiles((all) => all.map((x) => (x.id === f.id ? { ...x, progress: 1, error: undefined } : x)));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        setFiles((all) => all.map((x) => (x.id === f.id ? { ...x, error: T.uploadFailed(f.file.name, message) } : x)));
        throw err;
      }
    }
  };

  /** The message sits by the submit button, at the foot of a long form: the first field marked red is brought into view. */
  const showFirstInvalid = () =>
    requestAnimationFrame(() => {
      const first = document.querySelector<HTMLElement>('[data-testid=intake-form] .invalid');
      first?.scrollIntoView({ block: 'center' });
      (first?.matches('input, select, textarea') ? first : first?.querySelector<HTMLElement>('input, select, textarea'))?.focus({ preventScroll: true });
    });

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    if (!matterClass) {
      setBad(new Set(['matterClass']));
      setError(TC.matterClassRequired);
      showFirstInvalid();
      return;
    }
    const parsed = PetitionSubmitBody.safeParse(body());
    if (!parsed.success) {
      setBad(new Set(parsed.error.issues.map((i) => i.path.join('.'))));
      const custom = [...new Set(parsed.error.issues.filter((i) => i.code === 'custom').map((i) => i.message))];
      setError(custom.length > 0 ? `${T.fieldError}：${custom.join('；')}` : T.fieldError);
      showFirstInvalid();
      return;
    }
    setBad(new Set());
    setBusy(true);
    setError(undefined);
    try {
      const token = props.token() ?? '';
      const r = await apiRequest<SubmitResult>('POST', '/api/petitions', { body: parsed.data, token });
      setReceipt(r);
      setFromCall(parsed.data.sessionId !== null);
      await uploadAll(r.petitionId, token);
      setCanRetry(false);
    } catch (err) {
      setCanRetry(err instanceof AppError ? err.code === 'UNAVAILABLE' : true);
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const reset = () => {
    setPetitionId(crypto.randomUUID());
    setNarrative('');
    setMatterClass('');
    setOtherBody('');
    setAccused([newAccused()]);
    setIdentity(emptyIdentity);
    setAnonymous(false);
    setSealed(false);
    setFiles([]);
    setReceipt(undefined);
    setError(undefined);
  };

  if (receipt && files.every((f) => f.progress >= 1)) {
    return (
      <section className="intake receipt-done" data-testid="intake-receipt">
        <h3>{T.receiptTitle}</h3>
        <p>
          {T.caseCode}：<strong data-testid="receipt-code">{receipt.caseCode}</strong> {T.pin}：<strong data-testid="receipt-pin">{receipt.pin}</strong>
        </p>
        <p className="hint" data-testid="receipt-delivery">
          {receipt.pushedToKiosk ? T.receiptBody : fromCall ? T.receiptNotPushed : T.receiptInPerson}
        </p>
        {receipt.sealed && !sealed && (
          <p className="hint warn-text" data-testid="receipt-auto-sealed">
            {TS.autoSealed}
          </p>
        )}
        <button onClick={reset}>{T.newIntake}</button>
      </section>
    );
  }

  const cls = (path: string) => (bad.has(path) ? 'invalid' : undefined);
  const setId = (k: keyof typeof identity) => (v: string) => setIdentity({ ...identity, [k]: v });
  return (
    <form className="intake" onSubmit={submit} data-testid="intake-form">
      <h3>{T.intakeTitle}</h3>
      <p className="hint">{props.session ? T.intakeLinked(props.rooms.find((r) => r.code === props.session!.roomCode)?.name ?? '') : T.intakeUnlinked}</p>
      <div className="row">
        <label>
          {T.township}
          <select value={township} onChange={(e) => setTownship(e.target.value)} className={cls('townshipCode')}>
            {props.rooms.map((r) => (
              <option key={r.code} value={r.code}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {T.category}
          <select value={category} onChange={(e) => setCategory(e.target.value)}>
            {PETITION_CATEGORIES.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
      </div>
      <div className="row">
        <label title={matterClass ? TC.matterClassHints[matterClass] : undefined}>
          {TC.matterClass}
          <select
            value={matterClass}
            onChange={(e) => setMatterClass(e.target.value as MatterClass | '')}
            className={cls('matterClass')}
            data-testid="intake-class"
          >
            <option value="">{TC.matterClassChoose}</option>
            {MATTER_CLASSES.map((c) => (
              <option key={c} value={c}>
                {TC.matterClasses[c]}
              </option>
            ))}
          </select>
        </label>
        {matterClass === 'other' && (
          <label>
            {TC.otherBody}
            <input
              name="other-body"
              placeholder={TC.otherBodyHint}
              value={otherBody}
              onChange={(e) => setOtherBody(e.target.value)}
              className={cls('otherBody')}
              data-testid="intake-other-body"
            />
          </label>
        )}
      </div>
      {matterClass && <p className="hint">{TC.matterClassHints[matterClass]}</p>}
      <label>
        {T.narrative}
        <textarea
          name="narrative"
          rows={5}
          placeholder={T.narrativeHint}
          value={narrative}
          onChange={(e) => setNarrative(e.target.value)}
          className={cls('narrative')}
        />
      </label>
      <fieldset>
        <legend>{T.accusedTitle}</legend>
        <p className="hint">{TJ.intakeHint}</p>
        {accused.map((a, i) => (
          <div className="accused-entry" key={i}>
            <div className="row">
              {(['name', 'unit', 'position'] as const).map((k) => (
                <input
                  key={k}
                  name={`accused-${k}-${i}`}
                  placeholder={T[k === 'name' ? 'accusedName' : k === 'unit' ? 'accusedUnit' : 'accusedPosition']}
                  value={a[k]}
                  className={cls(`accused.${i}.${k}`)}
                  onChange={(e) => setAccused(accused.map((x, j) => (j === i ? { ...x, [k]: e.target.value, officialCode: null } : x)))}
                />
              ))}
              <label className="inline" title={T.accusedTownshipHint}>
                <input
                  type="checkbox"
                  name={`accused-township-${i}`}
                  checked={a.townshipOfficial}
                  onChange={(e) => setAccused(accused.map((x, j) => (j === i ? { ...x, townshipOfficial: e.target.checked } : x)))}
                />{' '}
                {T.accusedTownship}
              </label>
              <button type="button" className="link" onClick={() => setAccused(accused.filter((_, j) => j !== i))}>
                {T.accusedRemove}
              </button>
              {a.officialCode ? (
                <span className="badge">{TC.suggestLinked(a.officialCode)}</span>
              ) : (
                <RegistrySuggest
                  token={props.token}
                  name={a.name}
                  onPick={(o) =>
                    setAccused(
                      accused.map((x, j) =>
                        j === i
                          ? {
                              ...x,
                              name: o.name,
                              unit: o.unitName ?? x.unit,
                              position: o.position || x.position,
                              officialCode: o.code,
                              townshipOfficial: o.townshipCode === township,
                              // The registry's level and standing where it gives them (the server takes them too).
                              managementLevel: o.managementLevel !== 'unknown' ? o.managementLevel : x.managementLevel,
                              standing: o.standing !== 'none' ? o.standing : x.standing,
                            }
                          : x,
                      ),
                    )
                  }
                />
              )}
            </div>
            <div className="row levels">
              <label>
                {TJ.level}
                <select
                  name={`accused-level-${i}`}
                  value={a.managementLevel}
                  onChange={(e) => setAccused(accused.map((x, j) => (j === i ? { ...x, managementLevel: e.target.value as ManagementLevel } : x)))}
                  data-testid={`intake-level-${i}`}
                >
                  <LevelOptions />
                </select>
              </label>
              <label>
                {TJ.standing}
                <select
                  name={`accused-standing-${i}`}
                  value={a.standing}
                  onChange={(e) => setAccused(accused.map((x, j) => (j === i ? { ...x, standing: e.target.value as TownshipStanding } : x)))}
                  data-testid={`intake-standing-${i}`}
                >
                  <StandingOptions />
                </select>
              </label>
            </div>
          </div>
        ))}
        {accused.length < 20 && (
          <button type="button" className="link" onClick={() => setAccused([...accused, newAccused()])}>
            {T.accusedAdd}
          </button>
        )}
      </fieldset>
      <label className="inline sealed-choice" title={TS.intakeHint}>
        <input type="checkbox" name="sealed" checked={sealed} onChange={(e) => setSealed(e.target.checked)} data-testid="intake-sealed" /> {TS.intakeCheckbox}
      </label>
      <p className={sealed ? 'hint warn-text' : 'hint'} data-testid="intake-sealed-hint">
        {sealed ? TS.intakeHint : TS.intakeWho}
      </p>
      <fieldset>
        <legend>{T.identityTitle}</legend>
        <label className="inline">
          <input type="checkbox" checked={anonymous} onChange={(e) => setAnonymous(e.target.checked)} /> {T.anonymous}
        </label>
        {!anonymous && (
          <div className="grid2">
            <input
              name="id-name"
              placeholder={T.idName}
              value={identity.name}
              onChange={(e) => setId('name')(e.target.value)}
              className={cls('identity.name')}
            />
            <input
              name="id-card"
              placeholder={T.idCard}
              value={identity.idCard}
              onChange={(e) => setId('idCard')(e.target.value)}
              className={cls('identity.idCard')}
            />
            <input
              name="id-phone"
              placeholder={T.idPhone}
              value={identity.phone}
              onChange={(e) => setId('phone')(e.target.value)}
              className={cls('identity.phone')}
            />
            <input name="id-village" placeholder={T.idVillage} value={identity.village} onChange={(e) => setId('village')(e.target.value)} />
            <input name="id-address" placeholder={T.idAddress} value={identity.address} onChange={(e) => setId('address')(e.target.value)} className="span2" />
          </div>
        )}
      </fieldset>
      <FilePick
        label={T.attachments}
        accept="image/jpeg,image/png,application/pdf,audio/mpeg,video/mp4,audio/mp4"
        count={files.length}
        onFiles={(picked) => setFiles([...files, ...picked.map((file) => ({ id: crypto.randomUUID(), file, progress: 0 }))].slice(0, 10))}
      />
      {files.map((f) => (
        <div key={f.id} className="upload">
          <span>{f.file.name}</span>
          <progress max={1} value={f.progress} aria-label={T.uploading(f.file.name)} />
          {f.error && <span className="error">{f.error}</span>}
        </div>
      ))}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy} data-testid="intake-submit">
        {busy ? T.submitting : canRetry || receipt ? T.submitRetry : T.submit}
      </button>
    </form>
  );
}
