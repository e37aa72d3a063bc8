export const ROLES = [
  'kiosk',
  'county_officer',
  'county_supervisor',
  'township_handler',
  'township_staff',
  // 县纪委监委主要负责人: reads the sealed matters (those about the commission's own leadership) and sends them up; as a
  // commission leader also reads the discipline records and the people (issue 17), where no sealed matter ever shows.
  'county_leader',
  // 受处分人员信息查询 and 清廉档案 (issue 17): 审理室 (case review), 党风政风监督室 (opinions and reports), and each 片区督查组's
  // members and leader, who see only the people of their own 片区.
  'case_reviewer',
  'conduct_office',
  'district_inspector',
  'district_leader',
  // 三员分立: three administrators, none of whom reads petitions, identity or recordings, and no account is two.
  'sys_admin',
  'sec_admin',
  'audit_admin',
] as const;
export type Role = (typeof ROLES)[number];

/** 系统管理员 (users, kiosk devices, rooms), 安全管理员 (security state, integrity checks), 审计管理员 (the audit log). */
export const ADMIN_ROLES = ['sys_admin', 'sec_admin', 'audit_admin'] as const satisfies readonly Role[];

export type AdminRole = (typeof ADMIN_ROLES)[number];

export function isAdminRole(role: string | undefined): role is AdminRole {
  return (ADMIN_ROLES as readonly string[]).includes(role ?? '');
}

/** Roles that belong to the county office and may see a session's full media. */
export const COUNTY_ROLES: readonly Role[] = ['county_officer', 'county_supervisor'];

/** Roles bound to one 片区 (users.district_code). */
export const DISTRICT_ROLES = ['district_inspector', 'district_leader'] as const satisfies readonly Role[];

export function isDistrictRole(role: string | undefined): role is (typeof DISTRICT_ROLES)[number] {
  return (DISTRICT_ROLES as readonly string[]).includes(role ?? '');
}

export const ROOM_STATES = ['offline', 'online', 'calling', 'in_session', 'private'] as const;
export type RoomState = (typeof ROOM_STATES)[number];

/** Why a session ended. Stored with the session; every end carries one. */
export const SESSION_END_REASONS = [
  'kiosk_hangup',
  'officer_hangup',
  'caller_cancelled',
  'kiosk_disconnected',
  'officer_disconnected',
  'server_shutdown',
  'server_restart',
  'sfu_failure',
  'staff_ended',
  // Access ended mid-call: the SFU drops that principal's media at once instead of waiting out the grace period.
  'kiosk_revoked',
  'officer_logged_out',
  'staff_logged_out',
  'user_disabled',
] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

/** Why one participant left a session. */
export const LEAVE_REASONS = [
  ...SESSION_END_REASONS,
  'left',
  'session_ended',
  'disconnected',
  // Taken out of a live call under the confidentiality and recusal rules: a matter taken in it was sealed, or names them
  // as accused (issue 16). One reason for both, so nobody told of it learns which.
  'withdrawn',
] as const;
export type LeaveReason = (typeof LEAVE_REASONS)[number];

export const PARTICIPANT_ROLES = ['kiosk', 'county_officer', 'county_supervisor', 'township_staff'] as const;
export type ParticipantRole = (typeof PARTICIPANT_ROLES)[number];

export const SESSION_KINDS = ['county_call', 'staff_intake'] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

/** How a county officer takes part: silently watching, talking with the room, or leading it. */
export const COUNTY_MODES = ['monitor', 'join', 'take_over'] as const;
export type CountyMode = (typeof COUNTY_MODES)[number];
