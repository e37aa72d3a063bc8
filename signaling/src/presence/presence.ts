import type { KioskCheckView, LinkLevel } from '@vj/shared';

export interface SessionPresence {
  id: string;
  state: 'calling' | 'active';
  kind: 'county_call' | 'staff_intake';
  private: boolean;
  /** ISO time the current state began. */
  since: string;
  answeredBy: string | null;
  /** The grade of the kiosk's line, for the wall's badge (absent in records written before it existed). */
  link?: LinkLevel | null;
}

export interface RoomPresence {
  code: string;
  kioskOnline: boolean;
  /** When the kiosk connected or dropped (ISO), null if never seen since start-up. */
  kioskSince: string | null;
  session: SessionPresence | null;
  /** The kiosk's last check of itself (sessions/kiosk-check.ts). */
  check: KioskCheckView | null;
}

/**
 * Who is online and what each room is doing right now. LocalPresence keeps it in this process; RedisPresence
 * shares it across signaling nodes. One is chosen at start-up and the rest of the code sees this interface.
 */
export interface Presence {
  readonly kind: 'local' | 'redis';
  kioskConnected(room: string, socketId: string, deviceId: string): Promise<void>;
  /** The kiosk's live socket (on any node) and its device, when it is online. */
  kiosk(room: string): Promise<{ socketId: string; deviceId: string } | null>;
  /** Returns false when a newer socket of the same kiosk has already taken over (a quick reconnect). */
  kioskDisconnected(room: string, socketId: string): Promise<boolean>;
  setSession(room: string, session: SessionPresence | null): Promise<void>;
  setCheck(room: string, check: KioskCheckView): Promise<void>;
  get(rooms: string[]): Promise<RoomPresence[]>;
  close(): Promise<void>;
}
