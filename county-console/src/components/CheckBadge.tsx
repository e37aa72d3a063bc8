import type { KioskCheckView } from '@vj/shared';
import { T } from '../strings';

/** The kiosk's last check of itself on its wall tile: a broken room is known before a villager arrives. `short` for the compact wall. */
export function CheckBadge(props: { check: KioskCheckView | null; testId: string; short?: boolean | undefined }) {
  const c = props.check;
  if (!c) return null;
  const at = new Date(c.at).toLocaleString('zh-CN', { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  const parts = [T.checkParts.camera[c.camera], T.checkParts.microphone[c.microphone], T.checkParts.network[c.network]].join('，');
  return (
    <span
      className={c.ok ? 'check check-ok' : 'check check-failed'}
      data-testid={props.testId}
      data-state={c.ok ? 'ok' : 'failed'}
      title={T.checkDetail(at, parts)}
    >
      {c.ok ? T.checkOk : props.short ? T.checkFailedShort : T.checkFailed}
    </span>
  );
}
