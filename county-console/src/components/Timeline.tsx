import type { SessionRecordView } from '@vj/shared';
import { useApi } from '../api';
import { T } from '../strings';

/** Who joined, mode changes, private segments and how it ended, from the server's record. */
export function Timeline({ sessionId, token, version }: { sessionId: string; token: () => string | undefined; version: number }) {
  const t = useApi<SessionRecordView>(token, `/api/sessions/${sessionId}?v=${version}`);
  if (!t.data) return null;
  return (
    <details className="timeline" open>
      <summary>{T.timeline}</summary>
      <ol>
        {t.data.timeline.events.map((e, i) => (
          <li key={i}>
            <time>{new Date(e.at).toLocaleTimeString('zh-CN')}</time> {T.timelineKinds[e.kind] ?? e.kind}
            {e.actorName ? ` · ${e.actorName}` : ''}
            {typeof e.details['mode'] === 'string' ? ` · ${T.modes[e.details['mode']] ?? ''}` : ''}
          </li>
        ))}
      </ol>
    </details>
  );
}
