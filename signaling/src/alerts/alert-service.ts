import type { AlertView } from '@vj/shared';
import type { OfficeHours } from './office-hours.js';

/**
 * Alerts on the county's alert bar: a kiosk that dropped during office hours, a call nobody answered in
 * time. Each is keyed by its cause, clears itself when the cause does, and shows who acknowledged it.
 */
export class AlertService {
  private readonly alerts = new Map<string, AlertView>();

  constructor(
    private readonly officeHours: OfficeHours,
    private readonly publish: (alerts: AlertView[]) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  list(): AlertView[] {
    return [...this.alerts.values()].sort((a, b) => a.raisedAt.localeCompare(b.raisedAt));
  }

  raise(kind: AlertView['kind'], roomCode: string, key: string, caseCode?: string): void {
    if (this.alerts.has(key)) return;
    this.alerts.set(key, { id: key, kind, roomCode, raisedAt: this.now().toISOString(), acknowledgedBy: null, ...(caseCode ? { caseCode } : {}) });
    this.publish(this.list());
  }

  /** Makes the alerts of one kind exactly `current`: new ones are raised, gone ones cleared, the rest keep their acknowledgement. */
  sync(kind: AlertView['kind'], current: { key: string; roomCode: string; caseCode?: string }[]): void {
    const keep = new Set(current.map((c) => c.key));
    let changed = false;
    for (const [key, a] of this.alerts) {
      if (a.kind === kind && !keep.has(key)) changed = this.alerts.delete(key) || changed;
    }
    for (const c of current) {
      if (this.alerts.has(c.key)) continue;
      this.alerts.set(c.key, { id: c.key, kind, roomCode: c.roomCode, raisedAt: this.now().toISOString(), acknowledgedBy: null, ...(c.caseCode ? { caseCode: c.caseCode } : {}) });
      changed = true;
    }
    if (changed) this.publish(this.list());
  }

  raiseDuringOfficeHours(kind: AlertView['kind'], roomCode: string, key: string): void {
    if (this.officeHours.isOpen(this.now())) this.raise(kind, roomCode, key);
  }

  resolve(key: string): void {
    if (this.alerts.delete(key)) this.publish(this.list());
  }

  acknowledge(id: string, by: string): boolean {
    const a = this.alerts.get(id);
    if (!a) return false;
    a.acknowledgedBy = by;
    this.publish(this.list());
    return true;
  }
}
