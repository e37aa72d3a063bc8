import { useCallback, useState } from 'react';
import type { TokenSource } from '../api';
import { TC } from '../case-strings';
import { HeldChanges } from '../components/HeldChanges';
import { ImportCard } from '../components/ImportCard';
import { CalendarImport } from './CalendarImport';

/** Imports from the county's integrity archive and discipline registry, with progress and a per-row error report. */
export function Registry({ token }: { token: TokenSource }) {
  // Moves when an officials import finishes: it may have held changes for a second person.
  const [imports, setImports] = useState(0);
  const imported = useCallback(() => setImports((n) => n + 1), []);
  return (
    <section className="panel" data-testid="registry">
      <h2>{TC.registryTitle}</h2>
      <p className="hint">{TC.registryHint}</p>
      <ImportCard kind="officials" url="/api/registry/imports" label={TC.officialsFile} token={token} onDone={imported} />
      <HeldChanges token={token} reloadKey={imports} />
      <ImportCard kind="discipline" url="/api/registry/imports" label={TC.disciplineFile} token={token} />
      <CalendarImport token={token} />
    </section>
  );
}
