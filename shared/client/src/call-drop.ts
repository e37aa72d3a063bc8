import { AppError } from '@vj/shared';
import type { SignalChannel } from './channel.js';

/**
 * One drop of the signaling connection during a call, on the kiosk and the console alike: how long we were
 * away (which decides ICE restart or rebuild), and giving the call up when the server stays out of reach for
 * longer than it keeps our place (its grace period). Once the server is reached again it decides instead.
 */
export class DropWatch {
  private droppedAt: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly onGiveUp: () => void) {}

  /** The socket went away. Repeated calls during one drop keep the first time. */
  dropped(graceMs: number): void {
    this.droppedAt ??= Date.now();
    if (this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.droppedAt = undefined;
        this.onGiveUp();
      },
      Math.max(0, this.droppedAt + graceMs - Date.now()),
    );
  }

  get away(): boolean {
    return this.droppedAt !== undefined;
  }

  /** When the current drop began, if one is going on. */
  get since(): number | undefined {
    return this.droppedAt;
  }

  /** The server answers again: no giving up from here. Returns how long we were away (Infinity: unknown). */
  reached(): number {
    clearTimeout(this.timer);
    this.timer = undefined;
    const away = this.droppedAt === undefined ? Infinity : Date.now() - this.droppedAt;
    this.droppedAt = undefined;
    return away;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.droppedAt = undefined;
  }
}

/** How a screen left a call while the server was out of reach (the values of session:departed). */
export type Departure = 'hang_up' | 'leave' | 'gave_up';

/**
 * Calls this screen left while it could not reach the server: a hang-up pressed during the outage, or a call
 * given up after the grace period. The server hears of each once it is back, before anything is resumed, so a
 * left call is never picked up again and the room is free for the next villager at once.
 */
export class Departures {
  private readonly pending = new Map<string, Departure>();
  /** Every call left so far, told or not: never resumed again by this screen. */
  private readonly left = new Set<string>();

  add(sessionId: string, how: Departure): void {
    this.pending.set(sessionId, how);
    this.left.add(sessionId);
  }

  has(sessionId: string): boolean {
    return this.left.has(sessionId);
  }

  /** Adds a departure and tells the server at once, while it can be reached (else on the next connect, by `flush`). */
  tell(channel: SignalChannel, sessionId: string, how: Departure): void {
    this.add(sessionId, how);
    void this.flush(channel);
  }

  /** Tells the server; each is forgotten once answered, or once the server no longer knows the session. */
  async flush(channel: SignalChannel): Promise<void> {
    for (const [sessionId, how] of [...this.pending]) {
      try {
        await channel.request('session:departed', { sessionId, how });
        this.pending.delete(sessionId);
      } catch (err) {
        // Refused for good (the server checks who may): nothing more to tell. No answer: tried again on the next connect.
        if (err instanceof AppError && err.code !== 'UNAVAILABLE' && err.code !== 'INTERNAL') this.pending.delete(sessionId);
      }
    }
  }
}
