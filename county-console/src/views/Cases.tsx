import { useState } from 'react';
import { PETITION_STATUSES, type CountyPetitionView, type Role, type RoomView } from '@vj/shared';
import { DueBadge } from '../components/WorkflowPanel';
import { ListView } from '../components/ListView';
import { useApi, type TokenSource } from '../api';
import { T } from '../strings';
import { CaseDetail } from './CaseDetail';
import { ChooseHint } from '../components/ChooseHint';

const PAGE = 20;

export function Cases({ token, rooms, role }: { token: TokenSource; rooms: RoomView[]; role: Role }) {
  const [status, setStatus] = useState('');
  const [township, setTownship] = useState('');
  const [offset, setOffset] = useState(0);
  const [open, setOpen] = useState<string>();
  const qs = new URLSearchParams({ limit: String(PAGE), offset: String(offset), ...(status ? { status } : {}), ...(township ? { township } : {}) });
  const list = useApi<{ items: CountyPetitionView[]; total: number }>(token, `/api/petitions?${qs}`);
  const roomName = (code: string) => rooms.find((r) => r.code === code)?.name ?? code;
  const total = list.data?.total ?? 0;
  return (
    <div className="split">
      <section className="panel">
        <h2>{T.casesTitle}</h2>
        <div className="filters">
          <label>
            {T.filterStatus}
            <select value={status} onChange={(e) => (setStatus(e.target.value), setOffset(0))}>
              <option value="">{T.all}</option>
              {PETITION_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {T.status[s]}
                </option>
              ))}
            </select>
          </label>
          <label>
            {T.filterTownship}
            <select value={township} onChange={(e) => (setTownship(e.target.value), setOffset(0))}>
              <option value="">{T.all}</option>
              {rooms.map((r) => (
                <option key={r.code} value={r.code}>
                  {r.name}
                </option>
              ))}
            </select>
          </label>
        </div>
        <ListView
          rows={list.data?.items}
          error={list.error}
          loading={list.loading}
          empty={T.empty}
          columns={[T.caseCode, T.filterTownship, T.category, T.filterStatus, T.createdAt, '']}
          testId="cases-table"
          row={(p) => (
            <tr key={p.id} className={open === p.id ? 'selected' : undefined} onClick={() => setOpen(p.id)} data-testid={`case-${p.caseCode}`}>
              <td>{p.caseCode}</td>
              <td>{roomName(p.townshipCode)}</td>
              <td>{p.category}</td>
              <td>
                {T.status[p.status]} {p.status !== 'closed' && p.dueState !== 'ok' && <DueBadge state={p.dueState} />}
              </td>
              <td>{new Date(p.createdAt).toLocaleString('zh-CN')}</td>
              <td>{p.anonymous ? T.anonymousTag : T.namedTag}</td>
            </tr>
          )}
        />
        {total > 0 && (
          <div className="pager">
            <span>{T.pageInfo(offset + 1, Math.min(offset + PAGE, total), total)}</span>
            <button disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
              {T.prev}
            </button>
            <button disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>
              {T.next}
            </button>
          </div>
        )}
      </section>
      {open ? (
        <CaseDetail key={open} id={open} role={role} token={token} roomName={roomName} onChanged={list.reload} />
      ) : (
        <ChooseHint text={T.chooseCase} rows={list.data?.items} />
      )}
    </div>
  );
}
