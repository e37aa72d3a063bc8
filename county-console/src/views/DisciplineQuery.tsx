import { useState, type FormEvent } from 'react';
import { PEOPLE_SEARCH_BY, type PeopleAnswer, type PeopleSearchBy, type PersonDetail } from '@vj/shared';
import { useApi, type TokenSource } from '../api';
import { ArchivePanel } from '../components/ArchivePanel';
import { PlanVisit } from './Visits';
import { ListView } from '../components/ListView';
import { PendingPanel } from '../components/PendingPanel';
import { TD } from '../discipline-strings';
import { T } from '../strings';
import { ChooseHint } from '../components/ChooseHint';

/**
 * 受处分人员信息查询: the query on the left, the person on the right — for the 审理室 every record with its 影响期
 * and every earlier accusation (case codes and state, never the accuser) in one screen.
 */
/** `district`: a 片区督查组's reader, who sees the people of their own 片区 only, and is told so. */
export function DisciplineQuery({ token, archive, visits, district }: { token: TokenSource; archive: boolean; visits: boolean; district: boolean }) {
  const [by, setBy] = useState<PeopleSearchBy>('name');
  const [text, setText] = useState('');
  const [disciplined, setDisciplined] = useState(false);
  const [path, setPath] = useState<string>();
  const [open, setOpen] = useState<string>();
  const results = useApi<PeopleAnswer>(token, path);
  const [empty, setEmpty] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    // Said, not ignored: a press that does nothing looks like a broken page.
    setEmpty(!text.trim());
    if (!text.trim()) return;
    setOpen(undefined);
    setPath(`/api/discipline/people?${new URLSearchParams({ by, q: text.trim(), disciplined: disciplined ? '1' : '0' }).toString()}`);
  };
  return (
    <div className="split discipline">
      <section className="panel" data-testid="discipline-query">
        <h2>{TD.title}</h2>
        <p className="hint">{TD.hint}</p>
        {district && (
          <p className="hint" data-testid="district-scope">
            {TD.districtScope}
          </p>
        )}
        <form className="discipline-form" onSubmit={submit}>
          <label>
            {TD.byLabel}
            <select value={by} onChange={(e) => setBy(e.target.value as PeopleSearchBy)} data-testid="discipline-by">
              {PEOPLE_SEARCH_BY.map((b) => (
                <option key={b} value={b}>
                  {TD.by[b]}
                </option>
              ))}
            </select>
          </label>
          <label className="grow">
            {TD.queryLabel}
            <input
              value={text}
              maxLength={40}
              placeholder={TD.placeholder[by]}
              onChange={(e) => (setText(e.target.value), setEmpty(false))}
              data-testid="discipline-q"
            />
          </label>
          <label className="only">
            <input type="checkbox" checked={disciplined} onChange={(e) => setDisciplined(e.target.checked)} data-testid="discipline-only" />
            {TD.disciplinedOnly}
          </label>
          <button type="submit" disabled={results.loading} data-testid="discipline-search">
            {results.loading ? TD.searching : TD.search}
          </button>
        </form>
        {empty && (
          <p className="error" role="alert" data-testid="discipline-empty-query">
            {TD.emptyQuery}
          </p>
        )}
        {/* No loading line: the search button says 查询中. The error is the server's own words. */}
        <ListView
          rows={results.data?.items}
          error={results.error}
          errorTestId="discipline-error"
          errorText={(e) => e}
          empty={TD.none}
          columns={TD.columns}
          testId="discipline-results"
          row={(p) => (
            <tr key={p.code} className={open === p.code ? 'selected' : undefined} onClick={() => setOpen(p.code)} data-testid={`person-${p.code}`}>
              <td>
                {p.name}
                {p.keyOfficial && <span className="tag">{TD.keyOfficial}</span>}
              </td>
              <td>{p.unitName ?? ''}</td>
              <td>{p.district?.name ?? TD.noDistrict}</td>
              <td>{p.position}</td>
              <td>{TD.records(p.recordCount)}</td>
              <td className={p.inEffect ? 'in-effect' : undefined}>{p.inEffect ? TD.inEffect : TD.noneInEffect}</td>
            </tr>
          )}
        />
        {results.data?.truncated && <p className="hint">{TD.truncated(results.data.items.length)}</p>}
      </section>
      {open ? (
        <PersonPage key={open} code={open} token={token} archive={archive} visits={visits} onClose={() => setOpen(undefined)} />
      ) : (
        <ChooseHint text={T.choosePerson} rows={results.data?.items} />
      )}
    </div>
  );
}

/**
 * `archive`: the reader also sees the person's 清廉档案 (not 审理室, which reads the records only); `visits`: they plan
 * 回访教育 for a record in its 影响期.
 */
function PersonPage(props: { code: string; token: TokenSource; archive: boolean; visits: boolean; onClose: () => void }) {
  const { code, token, archive, onClose } = props;
  const v = useApi<PersonDetail>(token, `/api/discipline/people/${encodeURIComponent(code)}`);
  if (v.error || !v.data) return <PendingPanel loaded={v} />;
  const { person: p, records, accusations } = v.data;
  return (
    <section className="panel person-page" data-testid="person-page">
      <div className="panel-head">
        <h2>{TD.personTitle(p.name)}</h2>
        <button className="link" onClick={onClose}>
          {TD.close}
        </button>
      </div>
      <dl className="facts">
        <dt>{TD.fields.unit}</dt>
        <dd>{p.unitName ?? ''}</dd>
        <dt>{TD.fields.district}</dt>
        <dd>{p.district?.name ?? TD.noDistrict}</dd>
        <dt>{TD.fields.position}</dt>
        <dd>{p.position}</dd>
        <dt>{TD.fields.rank}</dt>
        <dd>{p.rank || '—'}</dd>
        <dt>{TD.fields.level}</dt>
        <dd>{TD.levels[p.managementLevel]}</dd>
        <dt>{TD.fields.key}</dt>
        <dd>{p.keyOfficial ? TD.yes : TD.no}</dd>
        <dt>{TD.fields.idCard}</dt>
        <dd data-testid="person-id-card">{p.idCardMasked ?? '—'}</dd>
      </dl>
      {archive && <ArchivePanel code={code} token={token} />}
      <h3>{TD.recordsTitle(records.length)}</h3>
      <ListView
        rows={records}
        empty={TD.noRecords}
        columns={TD.recordColumns}
        testId="person-records"
        row={(r) => (
          <tr key={r.id} data-testid={`record-${r.id}`}>
            <td>{r.decidedOn}</td>
            <td>
              {r.kind}
              {TD.probation(r.probationMonths)}
            </td>
            <td>{r.authority}</td>
            <td>{r.summary}</td>
            <td
              className={r.effect.state === 'in_effect' || r.effect.state === 'permanent' ? 'in-effect' : undefined}
              title={TD.ruleOf(r.sanction)}
              data-testid="record-effect"
            >
              {TD.effect[r.effect.state](r.effect.endsOn)}
              {props.visits && r.effect.state === 'in_effect' && r.effect.endsOn && (
                <>
                  {' '}
                  <PlanVisit recordId={r.id} endsOn={r.effect.endsOn} token={token} />
                </>
              )}
            </td>
          </tr>
        )}
      />
      <p className="hint">{TD.asOf(v.data.asOf)}</p>
      <h3>{TD.accusationsTitle}</h3>
      {accusations === null ? (
        <p className="hint">{TD.accusationsHidden}</p>
      ) : accusations.total === 0 ? (
        <p className="empty" data-testid="person-accusations">
          {TD.noAccusations}
        </p>
      ) : (
        <div data-testid="person-accusations">
          <p>{TD.accusationsSummary(accusations.total, accusations.open)}</p>
          <ul className="chips">
            {accusations.items.map((a) => (
              <li key={a.caseCode}>{TD.accusation(a.caseCode, T.status[a.status] ?? '')}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
