import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientEvent, ClientPayload, ClientResult } from '@vj/shared';

export type TestSocket = Socket;

/** Connects with a token; resolves once connected or rejects with the handshake error message. */
export function connect(url: string, token: unknown): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = io(url, { path: '/socket.io', transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true });
    s.once('connect', () => resolve(s));
    s.once('connect_error', (err) => {
      s.close();
      reject(err);
    });
  });
}

/** Sockets a test file opens with `sock`, all closed by `closeAll` (its afterAll). `url` is asked at each open. */
export function keptSockets(url: () => string): { sock: (token: string) => Promise<Socket>; closeAll: () => void } {
  const open: Socket[] = [];
  return {
    sock: async (token) => {
      const s = await connect(url(), token);
      open.push(s);
      return s;
    },
    closeAll: () => {
      for (const s of open.splice(0)) s.close();
    },
  };
}

/**
 * An event and its answer. The answer to a hang-up comes once the call's recording is closed (the screens are told
 * before): on a busy machine stopping ffmpeg and sealing its last segments takes seconds, hence 15 s and not 5.
 */
export async function send<E extends ClientEvent>(s: Socket, event: E, payload: ClientPayload<E> | unknown): Promise<Ack<ClientResult<E>>> {
  return (await s.timeout(15_000).emitWithAck(event, payload)) as Ack<ClientResult<E>>;
}

export function nextEvent<T>(s: Socket, event: string, timeoutMs = 5000): Promise<T> {
  return eventWhere<T>(s, event, () => true, timeoutMs);
}

/** The first `event` whose payload passes `ok`: pushes from other nodes can arrive in any order. */
export function eventWhere<T>(s: Socket, event: string, ok: (p: T) => boolean, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => (s.off(event, on), reject(new Error(`no matching ${event} within ${timeoutMs} ms`))), timeoutMs);
    const on = (p: T) => {
      if (!ok(p)) return;
      clearTimeout(t);
      s.off(event, on);
      resolve(p);
    };
    s.on(event, on);
  });
}
