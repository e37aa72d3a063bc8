import { z } from 'zod';
import type { ErrorBody } from '../errors.js';
import { LEAVE_REASONS, PARTICIPANT_ROLES, SESSION_END_REASONS } from '../roles.js';
import { Id } from './common.js';
import { RoomView } from './rest.js';
import { DtlsParameters, MediaKind, RtpCapabilities, RtpParameters, TrackSource, TransportOptions } from './rtp.js';

const Empty = z.object({});
const SessionRef = z.object({ sessionId: Id });

export const ProducerInfo = z.object({
  producerId: Id,
  kind: MediaKind,
  source: TrackSource,
  participantRole: z.enum(PARTICIPANT_ROLES),
});
export type ProducerInfo = z.infer<typeof ProducerInfo>;


/** Client → server events. Each is answered through the socket.io ack with an Ack<result>. */
export const clientEvents = {
  'rooms:list': { payload: Empty, result: z.object({ rooms: z.array(RoomView) }) },
  /** A fresh access token for a long-lived socket, before the old one expires. */
  'auth:refresh': { payload: z.object({ token: z.string().min(1).max(4096) }), result: z.object({ expiresAt: z.string() }) },
  /** requestId makes a retried press of the call button idempotent. */
  'call:start': { payload: z.object({ requestId: Id }), result: SessionRef.extend({ peerId: Id }) },
  'call:answer': {
    payload: SessionRef,
    result: SessionRef.extend({ peerId: Id, roomCode: z.string(), producers: z.array(ProducerInfo) }),
  },
  'session:end': { payload: SessionRef, result: Empty },
  'rtc:capabilities': { payload: SessionRef, result: z.object({ rtpCapabilities: RtpCapabilities }) },
  'rtc:createTransport': { payload: SessionRef.extend({ direction: z.enum(['send', 'recv']) }), result: TransportOptions },
  'rtc:connectTransport': { payload: SessionRef.extend({ transportId: Id, dtlsParameters: DtlsParameters }), result: Empty },
  'rtc:produce': {
    payload: SessionRef.extend({ transportId: Id, kind: MediaKind, rtpParameters: RtpParameters, source: TrackSource }),
    result: z.object({ producerId: Id }),
  },
  'rtc:consume': {
    payload: SessionRef.extend({ transportId: Id, producerId: Id, rtpCapabilities: RtpCapabilities }),
    result: z.object({ consumerId: Id, producerId: Id, kind: MediaKind, rtpParameters: RtpParameters, source: TrackSource }),
  },
  'rtc:resumeConsumer': { payload: SessionRef.extend({ consumerId: Id }), result: Empty },
} as const;

export type ClientEvent = keyof typeof clientEvents;
export type ClientPayload<E extends ClientEvent> = z.input<(typeof clientEvents)[E]['payload']>;
export type ClientResult<E extends ClientEvent> = z.output<(typeof clientEvents)[E]['result']>;

export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

/** Server → client pushes. */
export const serverEvents = {
  'rooms:state': RoomView,
  'session:answered': SessionRef.extend({ officerName: z.string() }),
  'session:producer': SessionRef.extend({ producer: ProducerInfo }),
  'session:producerClosed': SessionRef.extend({ producerId: Id }),
  'session:ended': SessionRef.extend({ reason: z.enum(SESSION_END_REASONS) }),
  'session:receipt': SessionRef.extend({ caseCode: z.string().regex(/^\d{10}$/), pin: z.string().regex(/^\d{6}$/) }),
  'session:participantLeft': SessionRef.extend({ role: z.enum(PARTICIPANT_ROLES), reason: z.enum(LEAVE_REASONS) }),
} as const;

export type ServerEvent = keyof typeof serverEvents;
export type ServerPayload<E extends ServerEvent> = z.output<(typeof serverEvents)[E]>;

/** socket.io typings generated from the tables above, for both ends. */
export type ServerToClientEvents = { [E in ServerEvent]: (payload: ServerPayload<E>) => void };
export type ClientToServerEvents = {
  [E in ClientEvent]: (payload: ClientPayload<E>, ack: (res: Ack<ClientResult<E>>) => void) => void;
};
