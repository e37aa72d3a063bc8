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

  raise(kind: AlertView['kind'], roomCode: string, key: string): void {
    if (this.alerts.has(key)) return;
    this.alerts.set(key, { id: key, kind, roomCode, raisedAt: this.now().toISOString(), acknowledgedBy: null });
    this.publish(this.list());
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
