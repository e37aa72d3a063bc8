import type { Socket } from 'socket.io-client';
import {
  AppError,
  isErrorCode,
  userMessage,
  type ClientEvent,
  type ClientPayload,
  type ClientResult,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '@vj/shared';

export type AppSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface SignalChannel {
  request<E extends ClientEvent>(event: E, payload: ClientPayload<E>): Promise<ClientResult<E>>;
}

/** Turns socket.io acks into promises that reject with the server's stable error code. */
export function socketChannel(socket: AppSocket, timeoutMs = 10_000): SignalChannel {
  return {
    async request(event, payload) {
      let res: unknown;
      try {
        // socket.io's generic emit typing cannot follow a mapped event name; the tables in schemas/socket.ts
        // fix the payload and result types at the call site instead.
        const emit = socket.timeout(timeoutMs).emitWithAck as (e: string, p: unknown) => Promise<unknown>;
        res = await emit.call(socket.timeout(timeoutMs), event, payload);
      } catch {
        throw new AppError('UNAVAILABLE', userMessage('UNAVAILABLE', undefined));
      }
      const ack = res as { ok: boolean; data?: unknown; error?: { code?: unknown; message?: string } };
      if (ack?.ok) return ack.data as ClientResult<typeof event>;
      const code = isErrorCode(ack?.error?.code) ? ack.error.code : 'INTERNAL';
      throw new AppError(code, userMessage(code, ack?.error?.message));
    },
  };
}
