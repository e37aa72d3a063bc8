import type { Role } from './roles.js';
import type { MatterClass } from './schemas/matter.js';
import type { PetitionStatus } from './schemas/petition.js';

/**
 * The case workflow (DESIGN §4) as one table, shared by the server that enforces it, the consoles that offer
 * only the buttons it allows, and the test that walks every cell of it.
 */
export const CASE_ACTIONS = [
  'accept',
  'refer',
  'transfer',
  'record_transfer_outcome',
  'township_accept',
  'add_step',
  'report',
  'return',
  'approve',
  'request_extension',
  'decide_extension',
  'forward_other',
  'notify_accept',
  'notify_result',
  'record_response',
  'request_review',
  'decide_review',
  'request_recheck',
  'decide_recheck',
  'decide_disposition',
  'record_outcome',
  'report_progress',
] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

/**
 * Who handles a decided case: the county itself (accepted) or a township commission (交办, or 转办 to it). A matter
 * 转办 to an outside body stays on the county's side: the county records the outcome reported back.
 */
export type HandlerSide = 'county' | 'township';

/**
 * county: an officer or supervisor; supervisor: a supervisor only; township_handler: the handler of the case's
 * township; handler_side: whoever handles the case, county roles or the township's handler; township_side: the
 * township's handler, and only on a case a township handles (never a county-own case in the same status);
 * deciding_side: whoever decides for the side handling the case, a county supervisor or the township's handler (the
 * township commission's own decision on a lead 交办 to it); disposing_side: the side that made the lead's disposition in
 * force (the `side` checkTransition is given for it is that side: see outcomeSide in the case service).
 */
type Who = 'county' | 'supervisor' | 'township_handler' | 'handler_side' | 'township_side' | 'deciding_side' | 'disposing_side';

interface Rule {
  from: readonly PetitionStatus[];
  /** 'same' keeps the status: a step, an extension request or decision is recorded without moving the case. */
  to: PetitionStatus | 'same';
  who: Who;
  /** The classes of matter it applies to (absent: every class). */
  classes?: readonly MatterClass[];
  /** Only for a named (实名) accuser: anonymous matters have no notice duties. */
  namedOnly?: true;
}

/** The classes the commission handles itself; 其他 goes to the body that does. */
const IN_REMIT: readonly MatterClass[] = ['accusation', 'appeal', 'suggestion'];
/** The classes on the 《信访工作条例》 track, which has 复查 and 复核. */
const XINFANG_TRACK: readonly MatterClass[] = ['appeal', 'suggestion'];
/** A case's class and whether its petitioner gave their identity: what the class dimension of the table reads. */
export interface MatterOf {
  matterClass: MatterClass;
  named: boolean;
}

export const CASE_RULES: Record<CaseAction, Rule> = {
  accept: { from: ['received'], to: 'accepted', who: 'county', classes: IN_REMIT },
  /** 交办: to a township commission, with a reporting duty, quarterly progress and a deadline the county reviews. */
  refer: { from: ['received', 'accepted'], to: 'referred', who: 'county', classes: IN_REMIT },
  /**
   * 转办: to the body with jurisdiction (a township commission, or a named outside body), which handles it under its
   * own authority: no reporting duty, no county review. It stops the accept clock like 受理 does.
   */
  transfer: { from: ['received', 'accepted'], to: 'transferred', who: 'county', classes: IN_REMIT },
  /** The outcome of a 转办 matter, when the body reports one: the township records its own; the county one told it. */
  record_transfer_outcome: { from: ['transferred'], to: 'closed', who: 'handler_side' },
  township_accept: { from: ['referred'], to: 'handling', who: 'township_handler' },
  add_step: { from: ['accepted', 'handling', 'returned'], to: 'same', who: 'handler_side' },
  report: { from: ['accepted', 'handling', 'returned'], to: 'reported', who: 'handler_side' },
  return: { from: ['reported'], to: 'returned', who: 'county' },
  approve: { from: ['reported'], to: 'closed', who: 'county' },
  request_extension: { from: ['accepted', 'handling', 'returned'], to: 'same', who: 'handler_side' },
  decide_extension: { from: ['accepted', 'referred', 'handling', 'returned'], to: 'same', who: 'supervisor' },
  /** 其他: the villager is told which body handles it, the county records where it went, and the matter closes. */
  forward_other: { from: ['received'], to: 'closed', who: 'county', classes: ['other'] },
  /** 受理告知: a named accuser is told it was accepted (or 交办), once it has been decided. */
  notify_accept: {
    from: ['accepted', 'referred', 'transferred', 'handling', 'reported', 'returned', 'closed'],
    to: 'same',
    who: 'county',
    classes: ['accusation'],
    namedOnly: true,
  },
  /** 结果反馈: a named accuser is given the result once the matter is concluded. */
  notify_result: { from: ['closed'], to: 'same', who: 'county', classes: ['accusation'], namedOnly: true },
  /** The accuser's response to the result, recorded as given (an objection is recorded and answered). */
  record_response: { from: ['closed'], to: 'same', who: 'county', classes: ['accusation'], namedOnly: true },
  /** 《信访工作条例》: the petitioner may ask for a 复查 of the handling, then a 复核 of the 复查; the county records each and its opinion. */
  request_review: { from: ['closed'], to: 'same', who: 'county', classes: XINFANG_TRACK },
  decide_review: { from: ['closed'], to: 'same', who: 'county', classes: XINFANG_TRACK },
  request_recheck: { from: ['closed'], to: 'same', who: 'county', classes: XINFANG_TRACK },
  decide_recheck: { from: ['closed'], to: 'same', who: 'county', classes: XINFANG_TRACK },
  /**
   * 问题线索处置: an accusation is disposed of (谈话函询, 初步核实, 暂存待查, 予以了结), with a reason, by the body that
   * handles it: a county supervisor on a lead the county accepted, the township commission on a lead 交办 to it
   * (分级负责: the handling body disposes and reports the result). Decided once; a lead in 暂存待查 may be decided
   * again when it comes back for review. The service also holds each disposition to the side that made it.
   */
  decide_disposition: { from: ['accepted', 'handling', 'returned'], to: 'same', who: 'deciding_side', classes: ['accusation'] },
  /**
   * The disposition's outcome (a 函询 reply and its assessment, a 初核 conclusion), recorded by the side that decided it:
   * the township on its own; the county on its own, also while a township it 交办 the lead to assists, and when the
   * result is reported back for review.
   */
  record_outcome: { from: ['accepted', 'handling', 'returned', 'reported'], to: 'same', who: 'disposing_side', classes: ['accusation'] },
  /** A 交办 matter's progress report by the township handling it: resets the progress clock (policy kind 'progress'). */
  report_progress: { from: ['handling', 'returned'], to: 'same', who: 'township_side' },
};

/** Actions whose very existence on a case says the petitioner gave their name: county-only, never shown to a township. */
export const NOTICE_ACTIONS: ReadonlySet<CaseAction> = new Set(['notify_accept', 'notify_result', 'record_response']);
/** The lead's disposition and its outcome: a township sees only the ones it made itself, never the county's (issue 16). */
export const DISPOSITION_ACTIONS: ReadonlySet<CaseAction> = new Set(['decide_disposition', 'record_outcome']);

const COUNTY: readonly Role[] = ['county_officer', 'county_supervisor'];

function rolesFor(who: Who, side: HandlerSide | null): readonly Role[] {
  switch (who) {
    case 'county':
      return COUNTY;
    case 'supervisor':
      return ['county_supervisor'];
    case 'township_handler':
      return ['township_handler'];
    case 'handler_side':
      return side === 'county' ? COUNTY : side === 'township' ? ['township_handler'] : [];
    case 'township_side':
      return side === 'township' ? ['township_handler'] : [];
    case 'deciding_side':
      return side === 'county' ? ['county_supervisor'] : side === 'township' ? ['township_handler'] : [];
    case 'disposing_side':
      return side === 'county' ? COUNTY : side === 'township' ? ['township_handler'] : [];
  }
}

/** Roles that can ever take this action, on any case. */
export function mayEverTake(action: CaseAction, role: Role): boolean {
  const who = CASE_RULES[action].who;
  if (who === 'handler_side' || who === 'disposing_side') return [...COUNTY, 'township_handler'].includes(role);
  if (who === 'township_side') return role === 'township_handler';
  if (who === 'deciding_side') return role === 'county_supervisor' || role === 'township_handler';
  return rolesFor(who, null).includes(role);
}

export type TransitionCheck = 'ok' | 'forbidden' | 'invalid_state';

/** Whether the action applies to a matter of this class and naming at all (not whether its state allows it now). */
export function appliesTo(action: CaseAction, matter: MatterOf): boolean {
  const rule = CASE_RULES[action];
  if (rule.classes && !rule.classes.includes(matter.matterClass)) return false;
  return !rule.namedOnly || matter.named;
}

/**
 * Role first (a role that can never act gets "forbidden" whatever the state), then the matter's class and naming,
 * then state, then side. A class or naming the action does not apply to is "invalid_state": the class is part of
 * the case's state, and the answer must not differ between roles that could otherwise act.
 */
export function checkTransition(action: CaseAction, status: PetitionStatus, side: HandlerSide | null, role: Role, matter: MatterOf): TransitionCheck {
  const rule = CASE_RULES[action];
  if (!mayEverTake(action, role)) return 'forbidden';
  if (!appliesTo(action, matter)) return 'invalid_state';
  if (!rule.from.includes(status)) return 'invalid_state';
  return rolesFor(rule.who, side).includes(role) ? 'ok' : 'forbidden';
}

export function nextStatus(action: CaseAction, status: PetitionStatus): PetitionStatus {
  const to = CASE_RULES[action].to;
  return to === 'same' ? status : to;
}
