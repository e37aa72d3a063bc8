import { useState } from 'react';
import { WARNING_RULES, type UnitListAnswer, type UnitReport } from '@vj/shared';
import { useApi, useDownload, type TokenSource } from '../api';
import { TA, TE } from '../archive-strings';
import { ListView } from '../components/ListView';

/**
 * 政治生态报告: the units the reader may see (a 督查组 its own 片区's) on the left, filtered by name or code; the
 * chosen unit's report on the right, to print (the page prints as the report alone) or download as a PDF. The
 * server audits each report read, on screen or as PDF.
 */
export function UnitReports({ token }: { token: TokenSource }) {
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const [open, setOpen] = useState<string>();
  const list = useApi<UnitListAnswer>(token, `/api/archive/units?q=${encodeURIComponent(q)}`);
  return (
    <div className="split reports">
      <section className="panel no-print" data-testid="units">
        <h2>{TE.listTitle}</h2>
        <p className="hint">{TE.listHint}</p>
        <form
          className="search-row"
          onSubmit={(e) => {
            e.preventDefault();
            setQ(text.trim());
          }}
        >
          <input
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder={TE.search}
            aria-label={TE.search}
            maxLength={50}
            data-testid="unit-search"
          />
          <button type="submit">{TE.searchButton}</button>
        </form>
        <ListView
          rows={list.data?.items}
          error={list.error}
          errorText={(e) => e}
          empty={TE.none}
          columns={TE.columns}
          testId="unit-list"
          row={(u) => (
            <tr key={u.code} className={open === u.code ? 'selected' : undefined} onClick={() => setOpen(u.code)} data-testid={`unit-${u.code}`}>
              <td>
                {u.name}
                <span className="hint unit-code" translate="no">
                  {u.code}
                </span>
              </td>
              <td>{u.districtName ?? ''}</td>
              <td className="num">{u.members}</td>
              <td className="num">{u.keyOfficials}</td>
              <td className={u.openWarnings ? 'num in-effect' : 'num'}>{u.openWarnings}</td>
              <td className="num">{u.records}</td>
            </tr>
          )}
        />
        {list.data?.truncated && <p className="hint">{TE.truncated(list.data.items.length)}</p>}
      </section>
      <section className="panel report-page" data-testid="unit-report">
        {open ? <Report key={open} code={open} token={token} /> : <p className="empty">{TE.choose}</p>}
      </section>
    </div>
  );
}

function Report({ code, token }: { code: string; token: TokenSource }) {
  const r = useApi<UnitReport>(token, `/api/archive/units/${encodeURIComponent(code)}/report`);
  const pdf = useDownload(token);
  if (r.error) return <p className="error">{r.error}</p>;
  if (!r.data) return <p className="hint">{TE.loading}</p>;
  const d = r.data;
  const facts: [string, string][] = [
    [TE.facts.members, TE.people(d.members)],
    [TE.facts.keyOfficials, TE.people(d.keyOfficials)],
    [TE.facts.discipline, TE.disciplineBreakdown(d.discipline.total, d.discipline.party, d.discipline.government, d.discipline.handling)],
    [TE.facts.inEffect, TE.items(d.discipline.inEffect)],
    [TE.facts.lastYear, TE.items(d.discipline.lastYear)],
    [TE.facts.accusations, TE.accusationsText(d.accusations.open, d.accusations.openByName, d.accusations.lastYear)],
    [TE.facts.warnings, TE.warningsText(d.warnings.lastYear, d.warnings.closedLastYear, d.warnings.open)],
    [TE.facts.findings, TE.findingsText(d.findings)],
  ];
  return (
    <article data-testid="report">
      <div className="actions no-print">
        <button onClick={() => window.print()} data-testid="report-print">
          {TE.print}
        </button>
        <button onClick={() => pdf.download(`/api/archive/units/${encodeURIComponent(code)}/report/pdf`, TE.pdfFallback(d.name))} data-testid="report-pdf">
          {TE.pdf}
        </button>
        {pdf.error && <span className="error">{pdf.error}</span>}
      </div>
      <h2 className="report-title">{TE.title(d.name)}</h2>
      <p className="hint report-meta">
        {TE.codeLabel}
        <span translate="no">{d.code}</span>
        {TE.metaRest(d.districtName, d.asOf)}
      </p>
      <p className="hint report-meta">{TE.secret}</p>
      <h3>{TE.basics}</h3>
      <dl className="facts" data-testid="report-facts">
        {facts.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <h3>{TE.byRule}</h3>
      <dl className="facts">
        {WARNING_RULES.map((k) => (
          <div key={k}>
            <dt>{TA.rules[k]}</dt>
            <dd>{TE.items(d.warnings.byRule[k] ?? 0)}</dd>
          </div>
        ))}
      </dl>
      <h3>{TE.trend}</h3>
      <table className="table compact" data-testid="report-trend">
        <thead>
          <tr>
            {TE.trendColumns.map((c, i) => (
              <th key={c} className={i ? 'num' : undefined}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {d.months.map((m) => (
            <tr key={m.month}>
              <td>{m.month}</td>
              <td className="num">{m.entered}</td>
              <td className="num">{m.good}</td>
              <td className="num">{m.fair}</td>
              <td className={m.poor ? 'num in-effect' : 'num'}>{m.poor}</td>
              <td className="num">{m.warnings}</td>
              <td className="num">{m.records}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>{TE.summary}</h3>
      <div data-testid="report-summary">
        {d.summary.map((s, i) => (
          <p key={i} className="report-para">
            {s}
          </p>
        ))}
      </div>
    </article>
  );
}
