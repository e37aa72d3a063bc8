import { z } from 'zod';
import type { ErrorBody } from '../errors.js';
import { COUNTY_MODES, LEAVE_REASONS, PARTICIPANT_ROLES, SESSION_END_REASONS, SESSION_KINDS } from '../roles.js';
import { Id } from './common.js';
import { KioskCheckReport, KioskCheckView } from './kiosk-check.js';
import { LinkReport } from './link.js';
import { RoomView } from './rest.js';
import { DtlsParameters, IceParameters, MediaKind, RtpCapabilities, RtpParameters, TrackSource, TransportOptions } from './rtp.js';

const Empty = z.object({});
const SessionRef = z.object({ sessionId: Id });

export const ProducerInfo = z.object({
  producerId: Id,
  kind: MediaKind,
  source: TrackSource,
  participantRole: z.enum(PARTICIPANT_ROLES),
});
export type ProducerInfo = z.infer<typeof ProducerInfo>;

export const ParticipantView = z.object({
  peerId: Id,
  role: z.enum(PARTICIPANT_ROLES),
  name: z.string(),
  mode: z.enum(COUNTY_MODES).nullable(),
  connected: z.boolean(),
});

/** Everything a participant's screen shows about the session, pushed whenever any of it changes. */
export const SessionStateView = z.object({
  sessionId: Id,
  roomCode: z.string(),
  kind: z.enum(SESSION_KINDS),
  state: z.enum(['calling', 'active']),
  private: z.boolean(),
  /** True while any county officer takes part silently: the kiosk must say so. */
  monitoring: z.boolean(),
  lead: z.enum(['staff', 'county']),
  participants: z.array(ParticipantView),
  /** The server-side recorder: the kiosk shows 录像中 while it runs. */
  recording: z.enum(['recording', 'paused']).nullable(),
  /** The villager's line, graded by the SFU: the call view's badge and the kiosk's plain-words warning. */
  kioskLink: LinkReport.nullable(),
  /** The villager's line cannot carry video: sound only, the officer's picture frozen on the last frame. */
  videoSuspended: z.boolean(),
});
export type SessionStateView = z.infer<typeof SessionStateView>;

export const JoinResult = z.object({
  peerId: Id,
  session: SessionStateView,
  producers: z.array(ProducerInfo),
  /** The session router's capabilities, when the server sends them with the answer (saves the client asking). */
  rtpCapabilities: RtpCapabilities.optional(),
});
export type JoinResult = z.infer<typeof JoinResult>;

/**
 * How long the server keeps a dropped participant's place. A client that cannot reach the server for longer
 * gives the call up on its own screen (the server ends it, or has ended it, on its side).
 */
const Grace = { reconnectGraceMs: z.number().int().positive() };

/**
 * What a client is told when it enters or re-enters a session's media. `media: 'kept'`: the SFU still holds this
 * participant's transports, so after a short drop an ICE restart brings them back; `'fresh'`: it holds none (a
 * first join, a restarted server, a lost SFU worker), so the client builds new transports and publishes again.
 */
export const JoinAnswer = JoinResult.extend({ media: z.enum(['kept', 'fresh']), ...Grace });
export type JoinAnswer = z.infer<typeof JoinAnswer>;

export const WallTile = z.object({ roomCode: z.string(), sessionId: Id, producerId: Id });
export type WallTile = z.infer<typeof WallTile>;

export const AlertView = z.object({
  id: z.string(),
  kind: z.enum([
    'kiosk_offline',
    'call_unanswered',
    'case_overdue',
    'recorder_failed',
    'integrity_failed',
    'kiosk_device_fault',
    'kiosk_check_failed',
    'callback_requested',
  ]),
  roomCode: z.string(),
  /** For case alerts: the case code the officer looks up (county consoles only receive alerts). */
  caseCode: z.string().optional(),
  raisedAt: z.string(),
  acknowledgedBy: z.string().nullable(),
});
export type AlertView = z.infer<typeof AlertView>;

/**
 * A TURN relay for one transport, with short-lived credentials made by the server (TURN REST API: username
 * "<expiry unix seconds>:<random id>"). Sent only where the county runs one (TURN_URLS).
 */
export const IceServer = z.object({
  urls: z
    .array(
      z
        .string()
        .regex(/^turns?:/)
        .max(256),
    )
    .min(1)
    .max(8),
  username: z.string().min(1).max(128),
  credential: z.string().min(1).max(128),
});
export type IceServer = z.infer<typeof IceServer>;
const IceServers = { iceServers: z.array(IceServer).max(4).optional() };

/** Client → server events. Each is answered through the socket.io ack with an Ack<result>. */
export const clientEvents = {
  'rooms:list': { payload: Empty, result: z.object({ rooms: z.array(RoomView) }) },
  /** A fresh access token for a long-lived socket, before the old one expires. */
  'auth:refresh': { payload: z.object({ token: z.string().min(1).max(4096) }), result: z.object({ expiresAt: z.string() }) },
  /** requestId makes a retried press of the call button idempotent. */
  'call:start': { payload: z.object({ requestId: Id }), result: SessionRef.extend({ peerId: Id, ...Grace }) },
  'call:answer': {
    payload: SessionRef,
    // The session as it is at the answer (recording included), so the console shows the truth at once.
    result: SessionRef.extend({
      peerId: Id,
      roomCode: z.string(),
      producers: z.array(ProducerInfo),
      session: SessionStateView,
      // Asked of the SFU beside the answer: the officer's media starts one round trip sooner.
      rtpCapabilities: RtpCapabilities.optional(),
      ...Grace,
    }),
  },
  'session:end': { payload: SessionRef, result: Empty },
  'rtc:capabilities': { payload: SessionRef, result: z.object({ rtpCapabilities: RtpCapabilities }) },
  'rtc:createTransport': { payload: SessionRef.extend({ direction: z.enum(['send', 'recv']) }), result: TransportOptions.extend(IceServers) },
  'rtc:connectTransport': { payload: SessionRef.extend({ transportId: Id, dtlsParameters: DtlsParameters }), result: Empty },
  'rtc:produce': {
    payload: SessionRef.extend({ transportId: Id, kind: MediaKind, rtpParameters: RtpParameters, source: TrackSource }),
    result: z.object({ producerId: Id }),
  },
  'rtc:consume': {
    payload: SessionRef.extend({ transportId: Id, producerId: Id, rtpCapabilities: RtpCapabilities, spatialLayer: z.number().int().min(0).max(2).optional() }),
    result: z.object({ consumerId: Id, producerId: Id, kind: MediaKind, rtpParameters: RtpParameters, source: TrackSource }),
  },
  'rtc:resumeConsumer': { payload: SessionRef.extend({ consumerId: Id }), result: Empty },
  'rtc:setLayer': { payload: SessionRef.extend({ consumerId: Id, spatialLayer: z.number().int().min(0).max(2) }), result: Empty },
  /** Fresh TURN credentials come with the new ICE parameters: the ones the transport was made with may have expired. */
  'rtc:restartIce': { payload: SessionRef.extend({ transportId: Id }), result: z.object({ iceParameters: IceParameters, ...IceServers }) },
  /** Drops this participant's transports and tracks so it can build them again (after a reload or a long drop). */
  'rtc:reset': { payload: SessionRef, result: Empty },
  /** Live sessions this user or kiosk is still part of: a reloaded page or a restarted server picks them up. */
  'session:mine': { payload: Empty, result: z.object({ sessions: z.array(z.object({ sessionId: Id, roomCode: z.string() })) }) },
  'session:rejoin': { payload: SessionRef, result: JoinAnswer },
  /**
   * This client left the session while it could not reach the server: it hung up (`hang_up`, as session:end) or
   * left (`leave`, as session:leave) during the outage, or its screen gave the call up after the grace period
   * (`gave_up`: the server applies the lapse now, as if the grace timer had run out). Told once it is back.
   */
  'session:departed': { payload: SessionRef.extend({ how: z.enum(['hang_up', 'leave', 'gave_up']) }), result: Empty },
  /** A county officer enters a session: silently (monitor), to talk (join), or to lead it (take_over). */
  'session:watch': { payload: SessionRef.extend({ mode: z.enum(COUNTY_MODES) }), result: JoinAnswer },
  'session:setMode': { payload: SessionRef.extend({ mode: z.enum(COUNTY_MODES) }), result: Empty },
  'session:setPrivate': { payload: SessionRef.extend({ private: z.boolean() }), result: Empty },
  'session:requestPrivate': { payload: SessionRef, result: Empty },
  /** A villager left an unanswered call asking the county to call the room back: an alert, and the call ends. */
  'call:requestCallback': { payload: SessionRef, result: Empty },
  /** The kiosk cannot open its camera or microphone (or can again): the county is alerted, not only the villager. */
  'kiosk:deviceStatus': { payload: z.object({ camera: z.enum(['ok', 'failed']) }), result: Empty },
  /**
   * The kiosk's check before the day's first call: a send transport of its own on a router of its own, to which
   * it publishes its camera and microphone for a few seconds, then reports what it saw (kiosk:checkFinish).
   */
  'kiosk:checkStart': { payload: Empty, result: z.object({ checkId: Id, rtpCapabilities: RtpCapabilities, transport: TransportOptions, ...IceServers }) },
  'kiosk:checkConnect': { payload: z.object({ checkId: Id, dtlsParameters: DtlsParameters }), result: Empty },
  'kiosk:checkProduce': { payload: z.object({ checkId: Id, kind: MediaKind, rtpParameters: RtpParameters }), result: z.object({ producerId: Id }) },
  'kiosk:checkFinish': { payload: z.object({ checkId: Id, report: KioskCheckReport }), result: z.object({ check: KioskCheckView }) },
  /** Leaves a session without ending it (a monitor, a second officer, reception staff). */
  'session:leave': { payload: SessionRef, result: Empty },
  'staff:startIntake': { payload: z.object({ requestId: Id }), result: JoinAnswer },
  'staff:join': { payload: SessionRef, result: JoinAnswer },
  /**
   * The wall's router capabilities and this viewer's receive transport come with the answer: one request (relayed
   * to the wall's node in a cluster) instead of three before the first tile can be asked for.
   */
  'wall:join': {
    payload: Empty,
    result: z.object({ sessionId: Id, tiles: z.array(WallTile), rtpCapabilities: RtpCapabilities, transport: TransportOptions.extend(IceServers) }),
  },
  'alert:ack': { payload: z.object({ alertId: z.string().max(100) }), result: Empty },
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
  /** To a county officer or reception staff only: they were taken out of this call (保密与回避); it goes on without them. */
  'session:withdrawn': SessionRef,
  'session:state': SessionStateView,
  'session:privateRequested': SessionRef.extend({ roomCode: z.string() }),
  /** To a waiting kiosk: nobody answered within the escalation time and the county's alarm is up. */
  'session:unanswered': SessionRef,
  /** To a kiosk: reception staff started an intake in this room; publish camera and microphone to it. */
  'session:publish': SessionRef,
  /** The session's media was lost (its SFU worker died) and re-created: build transports and tracks again. */
  'session:mediaReset': SessionRef,
  'queue:position': SessionRef.extend({ position: z.number().int().min(1) }),
  'wall:tile': WallTile,
  'wall:tileClosed': z.object({ producerId: Id }),
  /** The room's kiosk has not checked itself today (or its last check failed a while ago): it should now. */
  'kiosk:checkDue': Empty,
  alerts: z.object({ alerts: z.array(AlertView) }),
} as const;

export type ServerEvent = keyof typeof serverEvents;
export type ServerPayload<E extends ServerEvent> = z.output<(typeof serverEvents)[E]>;

/** socket.io typings generated from the tables above, for both ends. */
export type ServerToClientEvents = { [E in ServerEvent]: (payload: ServerPayload<E>) => void };
export type ClientToServerEvents = {
  [E in ClientEvent]: (payload: ClientPayload<E>, ack: (res: Ack<ClientResult<E>>) => void) => void;
};
