import { useEffect } from 'react';
import { MANAGEMENT_LEVEL_LABELS, type HeldChangesAnswer, type HeldChangeView } from '@vj/shared';
import { apiRequest } from '@vj/client';
import { useAction, useApi, type TokenSource } from '../api';
import { TC } from '../case-strings';
import { chinaDay } from '../format';
import { ListView } from './ListView';

type Field = keyof typeof TC.heldFields;
const FIELDS = Object.keys(TC.heldFields) as Field[];

/** What the import would change, field by field ("职务：书记 → 科员"); a level left out of the file is no change. */
function changes(h: HeldChangeView): string {
  const shown = (f: Field, v: HeldChangeView['current'][Field]) =>
    v === null || v === '' ? '—' : f === 'managementLevel' ? MANAGEMENT_LEVEL_LABELS[v as never] : v;
  const lines = FIELDS.filter((f) => h.proposed[f] !== null && h.proposed[f] !== h.current[f]).map(
    (f) => `${TC.heldFields[f]}：${shown(f, h.current[f])} → ${shown(f, h.proposed[f])}`,
  );
  return lines.join('；') || TC.heldNoChange;
}

/**
 * Changes an officials import made to the entries of people linked to county accounts, waiting for a second
 * person (signaling/src/registry/held-changes.ts). `reloadKey` moves when an import finishes.
 */
export function HeldChanges({ token, reloadKey }: { token: TokenSource; reloadKey: number }) {
  const list = useApi<HeldChangesAnswer>(token, '/api/registry/held');
  const { reload } = list;
  useEffect(() => {
    if (reloadKey > 0) reload();
  }, [reloadKey, reload]);
  return (
    <div className="import-card" data-testid="held-changes">
      <h3>{TC.heldTitle}</h3>
      <p className="hint">{TC.heldHint}</p>
      <ListView
        rows={list.data?.items}
        error={list.error}
        loading={list.loading && !list.data}
        empty={TC.heldEmpty}
        columns={TC.heldColumns}
        testId="held-table"
        row={(h) => <HeldRow key={h.id} change={h} token={token} onDecided={reload} />}
      />
    </div>
  );
}

function HeldRow({ change, token, onDecided }: { change: HeldChangeView; token: TokenSource; onDecided: () => void }) {
  const action = useAction();
  const decide = (decision: 'apply' | 'reject') =>
    action.run(() => apiRequest('POST', `/api/registry/held/${change.id}`, { token: token(), body: { decision } }), onDecided);
  return (
    <tr data-testid={`held-${change.officialCode}`}>
      <td>{change.officialCode}</td>
      <td>{changes(change)}</td>
      <td>{change.proposedBy.displayName}</td>
      <td>{chinaDay(change.proposedAt)}</td>
      <td>
        {change.mayDecide ? (
          <>
            <button
              type="button"
              className="primary"
              disabled={action.busy}
              onClick={() => void decide('apply')}
              data-testid={`held-apply-${change.officialCode}`}
            >
              {TC.heldApply}
            </button>{' '}
            <button
              type="button"
              className="link"
              disabled={action.busy}
              onClick={() => void decide('reject')}
              data-testid={`held-reject-${change.officialCode}`}
            >
              {TC.heldReject}
            </button>
          </>
        ) : (
          <span className="hint">{TC.heldNotYours}</span>
        )}
        {action.error && <p className="error">{action.error}</p>}
      </td>
    </tr>
  );
}
