// What the REST routes answer with (petitions, cases, township work, recordings, registry, rooms, receipts, health): one schema per answer, used
// by the server to check and present each answer (http/route.ts) and by the console to type what it reads.
import { z } from 'zod';
import { PARTICIPANT_ROLES, SESSION_END_REASONS } from '../roles.js';
import { DeadlineCaseView, DeadlinePolicyRow, DeadlinePolicyRowView, NoticeDueView, OfficialView } from './cases.js';
import { Id, itemsOf } from './common.js';
import { CountyPetitionView, TownshipCaseView } from './petition.js';
import { RoomView } from './rest.js';

/** One page of the county's petition list (no identity), with the count of all that match the filter. */
export const PetitionListAnswer = z.object({ items: z.array(CountyPetitionView), total: z.number().int() });
export type PetitionListAnswer = z.infer<typeof PetitionListAnswer>;

/** The county's open cases that are due soon or overdue, most urgent first. */
export const DeadlineListAnswer = itemsOf(DeadlineCaseView);
export type DeadlineListAnswer = z.infer<typeof DeadlineListAnswer>;

/** The feedback screen: named-accuser notices not yet given (and responses not yet recorded), most urgent first. */
export const NoticeListAnswer = itemsOf(NoticeDueView);
export type NoticeListAnswer = z.infer<typeof NoticeListAnswer>;

/** A working-calendar exception as the policy page shows it: a holiday (working = false) or a swapped working day. */
export const CalendarExceptionView = z.object({ day: z.string(), working: z.boolean(), note: z.string() });
export type CalendarExceptionView = z.infer<typeof CalendarExceptionView>;

/** The deadline policy page: the clock rules of every class, each with its source, and the calendar's exceptions. */
export const CasePolicyView = z.object({ rows: z.array(DeadlinePolicyRowView), exceptions: z.array(CalendarExceptionView) });
export type CasePolicyView = z.infer<typeof CasePolicyView>;

/** The answer to saving the deadline policy: the rules now in force. */
export const CasePolicySavedAnswer = z.object({ rows: z.array(DeadlinePolicyRow) });
export type CasePolicySavedAnswer = z.infer<typeof CasePolicySavedAnswer>;

/** Registry entries matching an officer's search at intake. */
export const OfficialSearchAnswer = itemsOf(OfficialView);
export type OfficialSearchAnswer = z.infer<typeof OfficialSearchAnswer>;

/** A township handler's case list: referred cases of their own township that do not name them, never identity. */
export const TownshipCaseListAnswer = itemsOf(TownshipCaseView);
export type TownshipCaseListAnswer = z.infer<typeof TownshipCaseListAnswer>;

/** The county's wall: every reception room with its state now. */
export const RoomListAnswer = z.object({ rooms: z.array(RoomView) });
export type RoomListAnswer = z.infer<typeof RoomListAnswer>;

/** One event of a session's timeline (joined, mode, private on/off, ended...), with who did it. */
export const SessionEventView = z.object({
  at: z.string(),
  kind: z.string(),
  participantId: z.string().nullable(),
  actorName: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type SessionEventView = z.infer<typeof SessionEventView>;

/** A reception session's durable record: its state, timeline, private segments and participants. */
export const SessionRecordView = z.object({
  id: Id,
  roomCode: z.string(),
  state: z.enum(['calling', 'active', 'ended']),
  startedAt: z.string(),
  answeredAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  endReason: z.enum(SESSION_END_REASONS).nullable(),
  timeline: z.object({
    events: z.array(SessionEventView),
    privateSegments: z.array(z.object({ startedAt: z.string(), endedAt: z.string().nullable() })),
  }),
  participants: z.array(
    z.object({
      id: Id,
      role: z.enum(PARTICIPANT_ROLES),
      userId: z.string().nullable(),
      joinedAt: z.string(),
      leftAt: z.string().nullable(),
      leaveReason: z.string().nullable(),
    }),
  ),
});
export type SessionRecordView = z.infer<typeof SessionRecordView>;

/** What the SFU holds for each participant of a live session right now (supervision checks, tests). */
export const SessionMediaView = z.object({
  workerPid: z.number().int().nullable(),
  peers: z.array(
    z.object({
      role: z.enum(PARTICIPANT_ROLES),
      name: z.string(),
      connected: z.boolean(),
      transports: z.number().int(),
      producers: z.number().int(),
      consumers: z.number().int(),
    }),
  ),
});
export type SessionMediaView = z.infer<typeof SessionMediaView>;

/** A session's recording as the county sees it: status, tracks, recorder events and the segments kept. */
export const RecordingView = z.object({
  id: Id,
  status: z.string(),
  startedAt: z.string(),
  stoppedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  sizeBytes: z.number(),
  tracks: z.array(z.object({ id: Id, kind: z.string(), source: z.string(), participantRole: z.string(), startedAt: z.string() })),
  events: z.array(z.object({ at: z.string(), kind: z.string(), reason: z.string(), actor: z.string().nullable() })),
  segments: z.array(
    z.object({ seq: z.number().int(), trackId: Id, sizeBytes: z.number(), durationMs: z.number(), countyOnly: z.boolean(), sha256: z.string() }),
  ),
});
export type RecordingView = z.infer<typeof RecordingView>;

/** A session's recording, or null when the session was not recorded. */
export const SessionRecordingAnswer = z.object({ recording: RecordingView.nullable() });
export type SessionRecordingAnswer = z.infer<typeof SessionRecordingAnswer>;

/** The recorder's state after a supervisor paused or resumed it. */
export const RecordingPauseAnswer = z.object({ state: z.enum(['recording', 'paused']) });
export type RecordingPauseAnswer = z.infer<typeof RecordingPauseAnswer>;

/** An audited playback grant: the media URL (carrying its one-time token) and when it expires. */
export const PlaybackGrantAnswer = z.object({ playbackId: Id, url: z.string(), expiresAt: z.string() });
export type PlaybackGrantAnswer = z.infer<typeof PlaybackGrantAnswer>;

/** Whether a recording's township grant is now given or withdrawn. */
export const RecordingGrantAnswer = z.object({ granted: z.boolean() });
export type RecordingGrantAnswer = z.infer<typeof RecordingGrantAnswer>;

/** A recording's integrity check: its segments against their hashes and chain, and the first one that fails. */
export const RecordingVerdictView = z.object({
  ok: z.boolean(),
  /** Purged by retention: the files are gone on purpose, the rows are checked as a tombstone. */
  purged: z.boolean().optional(),
  segments: z.number().int(),
  firstBad: z.object({ seq: z.number().int(), trackId: z.string(), trackSeq: z.number().int(), problem: z.string() }).nullable(),
});
export type RecordingVerdictView = z.infer<typeof RecordingVerdictView>;
