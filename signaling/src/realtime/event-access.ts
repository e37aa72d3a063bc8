import { COUNTY_ROLES, type ClientEvent, type Role } from '@vj/shared';

const COUNTY = COUNTY_ROLES;
const IN_CALL: readonly Role[] = ['kiosk', ...COUNTY];

/**
 * Which roles may send each socket event, declared in one table and enforced in one place (the dispatcher).
 * Object-level checks (is this socket a participant of that session?) happen in the handlers.
 */
export const EVENT_ACCESS: { readonly [E in ClientEvent]: readonly Role[] } = {
  'rooms:list': COUNTY,
  'auth:refresh': [...IN_CALL],
  'call:start': ['kiosk'],
  'call:answer': COUNTY,
  'session:end': IN_CALL,
  'rtc:capabilities': IN_CALL,
  'rtc:createTransport': IN_CALL,
  'rtc:connectTransport': IN_CALL,
  'rtc:produce': IN_CALL,
  'rtc:consume': IN_CALL,
  'rtc:resumeConsumer': IN_CALL,
};
