import type { Role } from './roles.js';
import type { PetitionStatus } from './schemas/petition.js';

/**
 * The case workflow (DESIGN §4) as one table, shared by the server that enforces it, the consoles that offer
 * only the buttons it allows, and the test that walks every cell of it.
 */
export const CASE_ACTIONS = ['accept', 'refer', 'township_accept', 'add_step', 'report', 'return', 'approve', 'request_extension', 'decide_extension'] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

/** Who handles a decided case: the county itself (accepted) or a township commission (referred). */
export type HandlerSide = 'county' | 'township';

/**
 * county: an officer or supervisor; supervisor: a supervisor only; township_handler: the handler of the case's
 * township; handler_side: whoever handles the case, county roles or the township's handler.
 */
type Who = 'county' | 'supervisor' | 'township_handler' | 'handler_side';

interface Rule {
  from: readonly PetitionStatus[];
  /** 'same' keeps the status: a step, an extension request or decision is recorded without moving the case. */
  to: PetitionStatus | 'same';
  who: Who;
}

export const CASE_RULES: Record<CaseAction, Rule> = {
  accept: { from: ['received'], to: 'accepted', who: 'county' },
  refer: { from: ['received', 'accepted'], to: 'referred', who: 'county' },
  township_accept: { from: ['referred'], to: 'handling', who: 'township_handler' },
  add_step: { from: ['accepted', 'handling', 'returned'], to: 'same', who: 'handler_side' },
  report: { from: ['accepted', 'handling', 'returned'], to: 'reported', who: 'handler_side' },
  return: { from: ['reported'], to: 'returned', who: 'county' },
  approve: { from: ['reported'], to: 'closed', who: 'county' },
  request_extension: { from: ['accepted', 'handling', 'returned'], to: 'same', who: 'handler_side' },
  decide_extension: { from: ['accepted', 'referred', 'handling', 'returned'], to: 'same', who: 'supervisor' },
};

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
  }
}

/** Roles that can ever take this action, on any case. */
export function mayEverTake(action: CaseAction, role: Role): boolean {
  const who = CASE_RULES[action].who;
  return who === 'handler_side' ? [...COUNTY, 'township_handler'].includes(role) : rolesFor(who, null).includes(role);
}

export type TransitionCheck = 'ok' | 'forbidden' | 'invalid_state';

/** Role first (a role that can never act gets "forbidden" whatever the state), then state, then side. */
export function checkTransition(action: CaseAction, status: PetitionStatus, side: HandlerSide | null, role: Role): TransitionCheck {
  const rule = CASE_RULES[action];
  if (!mayEverTake(action, role)) return 'forbidden';
  if (!rule.from.includes(status)) return 'invalid_state';
  return rolesFor(rule.who, side).includes(role) ? 'ok' : 'forbidden';
}

export function nextStatus(action: CaseAction, status: PetitionStatus): PetitionStatus {
  const to = CASE_RULES[action].to;
  return to === 'same' ? status : to;
}

/** The actions this role could take on a case right now (extension rules aside): what a console offers. */
export function availableActions(status: PetitionStatus, side: HandlerSide | null, role: Role): CaseAction[] {
  return CASE_ACTIONS.filter((a) => checkTransition(a, status, side, role) === 'ok');
}
