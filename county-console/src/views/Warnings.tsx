import { useState } from 'react';
import type { WarningListAnswer } from '@vj/shared';
import { useApi, type TokenSource } from '../api';
import { TA, TAI } from '../archive-strings';
import { ArchivePanel } from '../components/ArchivePanel';
import { FilterTabs } from '../components/FilterTabs';
import { ImportCard } from '../components/ImportCard';
import { ListView } from '../components/ListView';
import { ChooseHint } from '../components/ChooseHint';
import { T } from '../strings';

type Filter = 'open' | 'closed' | 'all';

/**
 * 苗头性问题预警: the warnings of the reader's 片区 (the county's for its leaders) on the left, the person's 清廉档案
 * on the right, where the 督查组 closes them with a 提醒 or an 教育. Looks again every 30 s (colleagues close them too).
 * A 督查组 imports its months from a sheet here too: the warnings they raise appear in the list when it is done.
 */
export function Warnings({ token, canImport }: { token: TokenSource; canImport: boolean }) {
  const [filter, setFilter] = useState<Filter>('open');
  const [open, setOpen] = useState<string>();
  const list = useApi<WarningListAnswer>(token, `/api/archive/warnings?state=${filter}`, 30_000);
  return (
    <div className="split letters">
      <section className="panel" data-testid="warnings">
        <h2>{TA.list.title}</h2>
        <p className="hint">{TA.list.hint}</p>
        {canImport && <ImportCard kind="archive_months" url="/api/archive/imports" label={TAI.label} hint={TAI.hint} token={token} onDone={list.reload} />}
        <FilterTabs
          options={['open', 'closed', 'all'] as const}
          labels={{ open: TA.list.open, closed: TA.list.closed, all: TA.list.all }}
          value={filter}
          onChange={setFilter}
          testId="warnings"
        />
        <ListView
          rows={list.data?.items}
          error={list.error}
          errorText={(e) => e}
          empty={TA.list.none}
          columns={TA.list.columns}
          testId="warnings-list"
          row={(w) => (
            <tr key={w.id} className={open === w.officialCode ? 'selected' : undefined} onClick={() => setOpen(w.officialCode)} data-testid={`warning-${w.id}`}>
              <td>{w.name}</td>
              <td>{w.unitName ?? ''}</td>
              <td>{TA.rules[w.rule]}</td>
              <td>{w.month}</td>
              <td className={w.state === 'open' ? 'in-effect' : undefined}>
                {w.state === 'open' ? TA.list.stateOpen : TA.list.stateClosed(TA.actions[w.action!])}
              </td>
            </tr>
          )}
        />
        {list.data?.truncated && <p className="hint">{TA.list.truncated(list.data.items.length)}</p>}
      </section>
      {open ? (
        <section className="panel person-page" data-testid="warning-person">
          <ArchivePanel key={open} code={open} token={token} onChange={list.reload} />
        </section>
      ) : (
        <ChooseHint text={T.chooseWarning} rows={list.data?.items} />
      )}
    </div>
  );
}
