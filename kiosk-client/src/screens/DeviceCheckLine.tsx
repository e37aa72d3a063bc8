import type { KioskState } from '../kiosk-controller';
import { T } from '../strings';

/**
 * One small line under the idle screen for the reception staff: the day's device check, and what failed. The
 * villager's part of the screen is unchanged; the county sees the same result on its wall.
 */
export function DeviceCheckLine({ check }: { check: KioskState['deviceCheck'] }) {
  if (!check) return null;
  if (check.state === 'running')
    return (
      <p className="device-check" data-testid="device-check" data-state="running">
        {T.checkRunning}
      </p>
    );
  if (check.state === 'error')
    return (
      <p className="device-check" data-testid="device-check" data-state="error">
        {T.checkError}
      </p>
    );
  const c = check.check;
  const broken = (['camera', 'microphone', 'network'] as const).filter((k) => c[k] !== 'ok' && !(k === 'network' && c[k] === 'slow'));
  const time = new Date(c.at).toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit' });
  return (
    <p className={c.ok ? 'device-check' : 'device-check bad'} data-testid="device-check" data-state={c.ok ? 'ok' : 'failed'}>
      {c.ok ? T.checkOk(time) : T.checkProblem(broken.map((k) => T.checkParts[k]).join('、'))}
    </p>
  );
}
