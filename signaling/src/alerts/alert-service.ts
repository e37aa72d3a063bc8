import { z } from 'zod';
import { AlertView } from '@vj/shared';
import type { OfficeHours } from './office-hours.js';

/** One change to the alert bar, as other signaling nodes apply it to their copy. */
export const AlertOp = z.discriminatedUnion('op', [
  z.object({ op: z.literal('set'), alert: AlertView }),
  z.object({ op: z.literal('delete'), key: z.string().max(200) }),
]);
export type AlertOp = z.infer<typeof AlertOp>;

/**
 * Alerts on the county's alert bar: a kiosk that dropped during office hours, a call nobody answered in
 * time. Each is keyed by its cause, clears itself when the cause does, and shows who acknowledged it.
 */
export class AlertService {
  private readonly alerts = new Map<string, AlertView>();
  /** In a cluster every change goes to the other nodes, so any node can list and acknowledge any alert. */
  replicate: (op: AlertOp) => void = () => {};

  constructor(
    private readonly officeHours: OfficeHours,
    private readonly publish: (alerts: AlertView[]) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A change made on another node; the server then sends this node's consoles the list again (county-alerts.ts). */
  apply(op: AlertOp): void {
    if (op.op === 'set') this.alerts.set(op.alert.id, op.alert);
    else this.alerts.delete(op.key);
  }

  private set(alert: AlertView): void {
    this.alerts.set(alert.id, alert);
    this.replicate({ op: 'set', alert });
  }

  private delete(key: string): boolean {
    if (!this.alerts.delete(key)) return false;
    this.replicate({ op: 'delete', key });
    return true;
  }

  list(): AlertView[] {
    return [...this.alerts.values()].sort((a, b) => a.raisedAt.localeCompare(b.raisedAt));
  }

  raise(kind: AlertView['kind'], roomCode: string, key: string, caseCode?: string): void {
    if (this.alerts.has(key)) return;
    this.set({ id: key, kind, roomCode, raisedAt: this.now().toISOString(), acknowledgedBy: null, ...(caseCode ? { caseCode } : {}) });
    this.publish(this.list());
  }

  /** Makes the alerts of one kind exactly `current`: new ones are raised, gone ones cleared, the rest keep their acknowledgement. */
  sync(kind: AlertView['kind'], current: { key: string; roomCode: string; caseCode?: string }[]): void {
    const keep = new Set(current.map((c) => c.key));
    let changed = false;
    for (const [key, a] of this.alerts) {
      if (a.kind === kind && !keep.has(key)) changed = this.delete(key) || changed;
    }
    for (const c of current) {
      if (this.alerts.has(c.key)) continue;
      this.set({
        id: c.key,
        kind,
        roomCode: c.roomCode,
        raisedAt: this.now().toISOString(),
        acknowledgedBy: null,
        ...(c.caseCode ? { caseCode: c.caseCode } : {}),
      });
      changed = true;
    }
    if (changed) this.publish(this.list());
  }

  raiseDuringOfficeHours(kind: AlertView['kind'], roomCode: string, key: string): void {
    if (this.officeHours.isOpen(this.now())) this.raise(kind, roomCode, key);
  }

  resolve(key: string): void {
    if (this.delete(key)) this.publish(this.list());
  }

  acknowledge(id: string, by: string): boolean {
    const a = this.alerts.get(id);
    if (!a) return false;
    this.set({ ...a, acknowledgedBy: by });
    this.publish(this.list());
    return true;
  }
}
