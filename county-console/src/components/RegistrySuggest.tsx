import { useEffect, useState } from 'react';
import type { OfficialView } from '@vj/shared';
import { apiRequest } from '@vj/client';
import type { TokenSource } from '../api';
import { TC } from '../case-strings';

const DEBOUNCE_MS = 300;

/** Registry entries matching a typed name; picking one links the accused person to the officials archive. */
export function RegistrySuggest({ token, name, onPick }: { token: TokenSource; name: string; onPick: (o: OfficialView) => void }) {
  const [items, setItems] = useState<OfficialView[]>([]);
  const q = name.trim();
  useEffect(() => {
    if (q.length < 2) return setItems([]);
    let live = true;
    const t = setTimeout(() => {
      apiRequest<{ items: OfficialView[] }>('GET', `/api/registry/officials?q=${encodeURIComponent(q)}&limit=6`, { token: token() }).then(
        (r) => live && setItems(r.items),
        () => live && setItems([]),
      );
    }, DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [q, token]);
  if (items.length === 0) return null;
  return (
    <div className="suggest" role="listbox" aria-label={TC.suggestTitle}>
      <span className="hint">{TC.suggestTitle}</span>
      {items.map((o) => (
        <button key={o.code} type="button" role="option" className="link" onClick={() => onPick(o)} data-testid={`suggest-${o.code}`}>
          {o.name} · {o.unitName ?? '—'} · {o.position || '—'}({o.code})
        </button>
      ))}
    </div>
  );
}
