import type { KioskCheckView } from '@vj/shared';
import type { Presence, RoomPresence, SessionPresence } from './presence.js';

export class LocalPresence implements Presence {
  readonly kind = 'local';
  private readonly kiosks = new Map<string, { socketId: string | null; deviceId: string; since: string }>();
  private readonly sessions = new Map<string, SessionPresence>();
  private readonly checks = new Map<string, KioskCheckView>();

  async kioskConnected(room: string, socketId: string, deviceId: string): Promise<void> {
    this.kiosks.set(room, { socketId, deviceId, since: new Date().toISOString() });
  }

  async kiosk(room: string): Promise<{ socketId: string; deviceId: string } | null> {
    const k = this.kiosks.get(room);
    return k?.socketId ? { socketId: k.socketId, deviceId: k.deviceId } : null;
  }

  async kioskDisconnected(room: string, socketId: string): Promise<boolean> {
    const k = this.kiosks.get(room);
    if (!k || k.socketId !== socketId) return false;
    this.kiosks.set(room, { ...k, socketId: null, since: new Date().toISOString() });
    return true;
  }

  async setSession(room: string, session: SessionPresence | null): Promise<void> {
    if (session) this.sessions.set(room, session);
    else this.sessions.delete(room);
  }

  async setCheck(room: string, check: KioskCheckView): Promise<void> {
    this.checks.set(room, check);
  }

  async get(rooms: string[]): Promise<RoomPresence[]> {
    return rooms.map((code) => {
      const k = this.kiosks.get(code);
      return {
        code,
        kioskOnline: Boolean(k?.socketId),
        kioskSince: k?.since ?? null,
        session: this.sessions.get(code) ?? null,
        check: this.checks.get(code) ?? null,
      };
    });
  }

  async close(): Promise<void> {}
}
