import { errorFields, type Logger, type SfuApi, type SfuEventPayload } from '@vj/shared';
import type { CallService } from './call-service.js';
import type { LiveSession } from './live.js';
import type { Timeline } from './timeline.js';

/** Loss this heavy on what the kiosk sends, for this long, switches the call to sound only. */
export const SOUND_ONLY_AFTER_MS = 6000;
/**
 * How long the line must have recovered before video comes back: longer after each return, so a line that only
 * held because the video stopped does not flap between the two every few seconds.
 */
export const VIDEO_BACK_AFTER_MS = [6000, 30_000, 120_000] as const;

/**
 * What the SFU's grades of the villager's line mean for a live session: the badge on the wall tile and the call
 * view, the kiosk's warning in plain words, and the switch to sound only while what the kiosk sends is losing
 * too much for video — the one trouble sending less relieves (a long round trip or loss on the way to the kiosk
 * does not improve without the picture, so it only shows on the badge). A reception-staff intake never switches:
 * its recording is the record of the visit, and the SFU's retransmissions keep the recorded picture whole.
 * The node that owns the session acts; the others ignore the event (the SFU announces it to every node).
 */
export class LinkWatch {
  constructor(
    private readonly calls: CallService,
    private readonly timeline: Timeline,
    sfu: SfuApi,
    private readonly log: Logger,
  ) {
    sfu.on('linkQuality', (e) => void this.graded(e).catch((err) => log.warn('link grade not applied', { sessionId: e.sessionId, ...errorFields(err) })));
  }

  private async graded({ sessionId, peerId, ...report }: SfuEventPayload<'linkQuality'>): Promise<void> {
    const live = this.calls.session(sessionId);
    // Only the villager's line is shown: an officer's own network shows in their own browser.
    if (live?.peers.get(peerId)?.role !== 'kiosk') return;
    const before = live.kioskLink;
    live.kioskLink = report;
    this.plan(live);
    // The SFU repeats an unchanged grade every 30 s (for a node that took the session over): only news is pushed.
    if (before?.level === report.level && before.uplinkPoor === report.uplinkPoor) return;
    this.log.info('kiosk line graded', { sessionId, level: report.level, uplinkPoor: report.uplinkPoor, lossPct: report.lossPct, rttMs: report.rttMs });
    this.calls.broadcastState(live);
    await this.calls.syncPresence(live, live.answeredBy ?? null);
  }

  /** Starts (or cancels) the switch the line calls for, so a short dip or a short recovery changes nothing. */
  private plan(live: LiveSession): void {
    // Only once answered: before that nobody is watching, and the officer would first see a frozen picture.
    const want = live.kind === 'county_call' && live.state === 'active' && live.kioskLink?.uplinkPoor === true;
    if (want === (live.videoSuspended ?? false)) {
      clearTimeout(live.linkTimer);
      live.linkTimer = undefined;
      return;
    }
    if (live.linkTimer) return; // already on its way there
    const backAfter = VIDEO_BACK_AFTER_MS[Math.min((live.soundOnlyCount ?? 1) - 1, VIDEO_BACK_AFTER_MS.length - 1)]!;
    live.linkTimer = setTimeout(
      () => void this.switchTo(live, want).catch((err) => this.log.warn('sound-only switch not recorded', { sessionId: live.id, ...errorFields(err) })),
      want ? SOUND_ONLY_AFTER_MS : backAfter,
    );
    live.linkTimer.unref();
  }

  private async switchTo(live: LiveSession, soundOnly: boolean): Promise<void> {
    live.linkTimer = undefined;
    if (this.calls.session(live.id) !== live) return;
    live.videoSuspended = soundOnly;
    if (soundOnly) live.soundOnlyCount = (live.soundOnlyCount ?? 0) + 1;
    this.log.info(soundOnly ? 'call switched to sound only: the kiosk line cannot carry video' : 'call back to video: the kiosk line recovered', {
      sessionId: live.id,
    });
    this.calls.broadcastState(live);
    // On the timeline, so whoever plays the recording back knows why its picture stops there.
    await this.timeline.event(live.id, soundOnly ? 'sound_only' : 'video_back', {}, { lossPct: live.kioskLink?.lossPct ?? null });
  }
}
