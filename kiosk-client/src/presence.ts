import type { SessionStateView } from '@vj/shared';

export interface Presence {
  /** Reception staff in the room's session (they see and hear nothing while it is private). */
  staff: boolean;
  /** County officers talking with the villager, by name. */
  countyTalking: string[];
  /** County officers silently watching: they see and hear too, and the villager must know. */
  countyMonitoring: number;
}

/** Who can see and hear the villager right now, read from the session's participants, never assumed. */
export function presenceOf(s: SessionStateView | undefined): Presence {
  const others = s?.participants.filter((p) => p.role !== 'kiosk' && p.connected) ?? [];
  const county = others.filter((p) => p.role === 'county_officer' || p.role === 'county_supervisor');
  return {
    staff: !s?.private && others.some((p) => p.role === 'township_staff'),
    countyTalking: county.filter((p) => p.mode !== 'monitor').map((p) => p.name),
    countyMonitoring: county.filter((p) => p.mode === 'monitor').length,
  };
}

export const countyPresent = (p: Presence): boolean => p.countyTalking.length + p.countyMonitoring > 0;
export const presenceKey = (p: Presence): string => `${p.staff}|${countyPresent(p)}`;
