import { useState } from 'react';
import type { NoticeListAnswer, Role } from '@vj/shared';
import { useApi, type TokenSource } from '../api';
import { TC } from '../case-strings';
import { DueBadge } from '../components/WorkflowPanel';
import { ListView } from '../components/ListView';
import { chinaDay } from '../format';
import { T } from '../strings';
import { CaseDetail } from './CaseDetail';

const REFRESH_MS = 30_000;

/**
 * The county's feedback screen: named accusations whose acceptance notice or result is still to be given, or whose
 * accuser's response is still to be recorded, most urgent first. A row opens the case, where the notice is recorded.
 */
export function Notices({ token, role, roomName }: { token: TokenSource; role: Role; roomName: (c: string) => string }) {
  const list = useApi<NoticeListAnswer>(token, '/api/cases/notices', REFRESH_MS);
  const [open, setOpen] = useState<string>();
  return (
    <div className="cases">
      <section className="panel" data-testid="notices-list">
        <h2>{TC.noticesTitle}</h2>
        <p className="hint">{TC.noticesHint}</p>
        <ListView
          rows={list.data?.items}
          error={list.error}
          loading={!list.data && !list.error}
          empty={TC.noticesEmpty}
          columns={TC.noticeColumns}
          row={(n) => (
            <tr
              key={`${n.id}-${n.kind}`}
              className={open === n.id ? 'selected' : undefined}
              onClick={() => setOpen(n.id)}
              data-testid={`notice-${n.caseCode}-${n.kind}`}
            >
              <td>{n.dueAt ? <DueBadge state={n.dueState} /> : TC.noticeNoClock}</td>
              <td>{TC.noticeKinds[n.kind]}</td>
              <td>{n.caseCode}</td>
              <td>{roomName(n.townshipCode)}</td>
              <td>{T.status[n.status]}</td>
              <td>{n.dueAt ? chinaDay(n.dueAt) : '—'}</td>
            </tr>
          )}
        />
      </section>
      {open && <CaseDetail key={open} id={open} role={role} token={token} roomName={roomName} onChanged={list.reload} />}
    </div>
  );
}
