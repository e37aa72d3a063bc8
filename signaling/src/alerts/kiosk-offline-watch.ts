import { errorFields, type Logger } from '@vj/shared';
import type { Db } from '../db/db.js';
import type { Presence } from '../presence/presence.js';
import type { AlertService } from './alert-service.js';

/**
 * Every room that should have a kiosk online and has not: a provisioned, not revoked device whose room shows
 * offline for longer than the grace period raises the offline alarm (during office hours). A kiosk dropping
 * raises it at once (CallService); this catches the kiosk that never came back — after a server restart no
 * socket ever closes, so nothing else would notice — and clears the alarm of a room whose kiosk was revoked.
 */
export class KioskOfflineWatch {
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt: number;
  private running = false;

  constructor(
    private readonly db: Db,
    private readonly presence: Presence,
    private readonly alerts: AlertService,
    private readonly rooms: readonly string[],
    private readonly graceMs: number,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
  }

  /** Checks every `periodMs`; the first check is one grace period after start, when a kiosk had time to connect. */
  start(periodMs: number): void {
    this.timer = setInterval(() => void this.tick(), periodMs);
    this.timer.unref();
  }

  async tick(): Promise<void> {
    // A slow database must not pile checks up.
    if (this.running) return;
    this.running = true;
    try {
      const r = await this.db.query<{ room_code: string }>('SELECT DISTINCT room_code FROM kiosk_devices WHERE revoked_at IS NULL');
      const provisioned = new Set(r.rows.map((x) => x.room_code));
      const now = this.now();
      for (const room of await this.presence.get([...this.rooms])) {
        const key = `kiosk_offline:${room.code}`;
        // Online: no alarm. Also heals a raise that crossed the kiosk's reconnect (presence read, kiosk back,
        // alarm raised from the old reading).
        if (room.kioskOnline) {
          this.alerts.resolve(key);
          continue;
        }
        if (!provisioned.has(room.code)) {
          this.alerts.resolve(key);
          continue;
        }
        // Offline since it dropped, or since this server started if it was never seen (or dropped before).
        const since = Math.max(this.startedAt, room.kioskSince ? Date.parse(room.kioskSince) : 0);
        if (now - since >= this.graceMs) this.alerts.raiseDuringOfficeHours('kiosk_offline', room.code, key);
      }
    } catch (err) {
      this.log.warn('kiosk offline check failed', errorFields(err));
    } finally {
      this.running = false;
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}
