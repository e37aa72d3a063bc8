import { ADMIN_ROLES, COUNTY_ROLES, DISTRICT_ROLES, type ClientEvent, type Role } from '@vj/shared';

const COUNTY = COUNTY_ROLES;
const IN_CALL: readonly Role[] = ['kiosk', ...COUNTY];
/** Reception staff take part in their own room's sessions (watching; never publishing). */
const IN_SESSION: readonly Role[] = [...IN_CALL, 'township_staff'];
// The principal leader and issue 17's roles (审理室, 党风政风监督室, 片区督查组) hold a console socket only to refresh
// their token: no wall, no call, no case push.
const CONSOLE: readonly Role[] = [
  'county_officer',
  'county_supervisor',
  'county_leader',
  'case_reviewer',
  'conduct_office',
  ...DISTRICT_ROLES,
  'township_handler',
  'township_staff',
  ...ADMIN_ROLES,
];

/**
 * Which roles may send each socket event, declared in one table and enforced in one place (the dispatcher).
 * Object-level checks (is this socket a participant of that session, is it their room?) are in the handlers.
 */
export const EVENT_ACCESS: { readonly [E in ClientEvent]: readonly Role[] } = {
  'rooms:list': COUNTY,
  'auth:refresh': ['kiosk', ...CONSOLE],
  'call:start': ['kiosk'],
  'call:answer': COUNTY,
  'session:end': IN_SESSION,
  'rtc:capabilities': IN_SESSION,
  'rtc:createTransport': IN_SESSION,
  'rtc:connectTransport': IN_SESSION,
  'rtc:produce': IN_CALL,
  'rtc:consume': IN_SESSION,
  'rtc:resumeConsumer': IN_SESSION,
  'rtc:setLayer': IN_SESSION,
  'rtc:restartIce': IN_SESSION,
  'rtc:reset': IN_SESSION,
  'session:mine': IN_SESSION,
  'session:rejoin': IN_SESSION,
  'session:departed': IN_SESSION,
  'session:watch': COUNTY,
  'session:setMode': COUNTY,
  'session:setPrivate': COUNTY,
  'session:requestPrivate': ['kiosk'],
  'call:requestCallback': ['kiosk'],
  'kiosk:deviceStatus': ['kiosk'],
  'kiosk:checkStart': ['kiosk'],
  'kiosk:checkConnect': ['kiosk'],
  'kiosk:checkProduce': ['kiosk'],
  'kiosk:checkFinish': ['kiosk'],
  'session:leave': [...COUNTY, 'township_staff'],
  'staff:startIntake': ['township_staff'],
  'staff:join': ['township_staff'],
  'wall:join': COUNTY,
  'alert:ack': COUNTY,
};
