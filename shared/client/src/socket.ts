import { io } from 'socket.io-client';
import type { AppSocket } from './channel.js';

/**
 * Opens the signaling socket. The token is read on every (re)connect, so a renewed token is used after a
 * network drop without rebuilding the socket.
 */
export function openSocket(token: () => string | undefined, origin = ''): AppSocket {
  return io(origin, {
    path: '/socket.io',
    transports: ['websocket'],
    auth: (cb) => cb({ token: token() }),
    reconnectionDelay: 500,
    // Tried again at least every 2 s: a restarted server gets its calls back within ~2 s of listening, and a
    // few dozen kiosks and consoles knocking that often cost it nothing.
    reconnectionDelayMax: 2000,
  });
}

export interface IssuedToken {
  accessToken: string;
  expiresAt: string;
}

/**
 * Keeps a short-lived access token fresh: renews at three quarters of its life and reports each new token
 * (the caller pushes it to the socket with auth:refresh). Failed renewals retry with backoff.
 */
export class TokenKeeper {
  private current: IssuedToken | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly renew: () => Promise<IssuedToken>,
    private readonly onToken: (t: IssuedToken) => void,
  ) {}

  get token(): string | undefined {
    return this.current?.accessToken;
  }

  async start(initial?: IssuedToken): Promise<IssuedToken> {
    this.stopped = false;
    const t = initial ?? (await this.renew());
    this.set(t);
    return t;
  }

  private set(t: IssuedToken): void {
    this.current = t;
    const life = new Date(t.expiresAt).getTime() - Date.now();
    this.schedule(Math.max(5_000, life * 0.75));
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.renew().then(
        (t) => {
          this.set(t);
          this.onToken(t);
        },
        () => this.schedule(10_000),
      );
    }, ms);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
