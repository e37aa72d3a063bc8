import { useState, type FormEvent } from 'react';
import { RECOMMENDATION_KINDS, localDay, type RecommendationDetail, type RecommendationKind, type UnitAnswer } from '@vj/shared';
import { apiRequest } from '@vj/client';
import { useAction, useApi, type TokenSource } from '../api';
import { TR } from '../recommendation-strings';

type Unit = UnitAnswer['items'][number];

/** 登记建议书: kind, 文号, the unit (found by name), dates, problems, requests and the records it came from. */
export function RecommendationForm({ token, onCancel, onDone }: { token: TokenSource; onCancel: () => void; onDone: (id: string) => void }) {
  // One id per form: a retry after a lost answer records the same letter once.
  const [id] = useState(() => crypto.randomUUID());
  const [kind, setKind] = useState<RecommendationKind>('discipline');
  const [docNumber, setDocNumber] = useState('');
  const [words, setWords] = useState('');
  const [unit, setUnit] = useState<Unit>();
  const [issuedOn, setIssuedOn] = useState(() => localDay());
  const [deadline, setDeadline] = useState('');
  const [problems, setProblems] = useState('');
  const [requests, setRequests] = useState('');
  const [records, setRecords] = useState('');
  const units = useApi<UnitAnswer>(token, words.trim() && !unit ? `/api/recommendations/units?q=${encodeURIComponent(words.trim())}` : undefined);
  const save = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = {
      id,
      kind,
      docNumber,
      unitCode: unit?.code ?? '',
      issuedOn,
      deadline,
      problems,
      requests,
      recordIds: records.split(/[\s,，、；;]+/).filter(Boolean),
    };
    void save.run(
      () => apiRequest<RecommendationDetail>('POST', '/api/recommendations', { token: token(), body }),
      () => onDone(id),
    );
  };
  return (
    <section className="panel letter-form" data-testid="letter-form">
      <div className="panel-head">
        <h2>{TR.form.title}</h2>
        <button className="link" type="button" onClick={onCancel}>
          {TR.form.cancel}
        </button>
      </div>
      <form onSubmit={submit}>
        <div className="row">
          <label>
            {TR.form.kind}
            <select value={kind} onChange={(e) => setKind(e.target.value as RecommendationKind)} data-testid="letter-kind">
              {RECOMMENDATION_KINDS.map((k) => (
                <option key={k} value={k}>
                  {TR.kinds[k]}
                </option>
              ))}
            </select>
          </label>
          <label className="grow">
            {TR.form.docNumber}
            <input
              value={docNumber}
              maxLength={60}
              placeholder={TR.form.docNumberHint}
              onChange={(e) => setDocNumber(e.target.value)}
              data-testid="letter-doc"
            />
          </label>
        </div>
        <label>
          {TR.form.unit}
          <input
            value={unit ? unit.name : words}
            maxLength={40}
            placeholder={TR.form.unitSearch}
            onChange={(e) => (setUnit(undefined), setWords(e.target.value))}
            data-testid="letter-unit"
          />
        </label>
        {unit && <p className="hint">{TR.form.unitChosen(unit.name, unit.district?.name ?? TR.noDistrict)}</p>}
        {!unit && units.data && (
          <ul className="unit-options" data-testid="letter-unit-options">
            {units.data.items.length === 0 && <li className="hint">{TR.form.unitNone}</li>}
            {units.data.items.map((u) => (
              <li key={u.code}>
                <button type="button" onClick={() => setUnit(u)} data-testid={`unit-${u.code}`}>
                  {u.name}（{u.district?.name ?? TR.noDistrict}）
                </button>
              </li>
            ))}
          </ul>
        )}
        {units.error && <p className="error">{units.error}</p>}
        <div className="row">
          <label>
            {TR.form.issuedOn}
            <input type="date" value={issuedOn} onChange={(e) => setIssuedOn(e.target.value)} data-testid="letter-issued" />
          </label>
          <label>
            {TR.form.deadline}
            <input type="date" value={deadline} min={issuedOn} onChange={(e) => setDeadline(e.target.value)} data-testid="letter-deadline" />
          </label>
        </div>
        <label>
          {TR.form.problems}
          <textarea rows={3} maxLength={4000} value={problems} onChange={(e) => setProblems(e.target.value)} data-testid="letter-problems" />
        </label>
        <label>
          {TR.form.requests}
          <textarea rows={3} maxLength={4000} value={requests} onChange={(e) => setRequests(e.target.value)} data-testid="letter-requests" />
        </label>
        <label>
          {TR.form.records}
          <input value={records} placeholder={TR.form.recordsHint} onChange={(e) => setRecords(e.target.value)} data-testid="letter-records" />
        </label>
        {save.error && (
          <p className="error" data-testid="letter-form-error">
            {save.error}
          </p>
        )}
        <div className="actions">
          <button className="primary" type="submit" disabled={save.busy || !unit} data-testid="letter-submit">
            {save.busy ? TR.form.submitting : TR.form.submit}
          </button>
        </div>
      </form>
    </section>
  );
}
