import { errorFields, type Logger, type SfuApi, type SfuEventPayload } from '@vj/shared';
import type { CallService } from './call-service.js';
import type { LiveSession } from './live.js';

/** A poor line for this long switches the call to sound only: a frozen picture with broken speech helps nobody. */
export const SOUND_ONLY_AFTER_MS = 6000;
/** And back to video once the line has not been poor for this long (the SFU's grade already waited 2 samples). */
export const VIDEO_BACK_AFTER_MS = 6000;

/**
 * What the SFU's grades of the villager's line mean for a live session: the badge on the wall tile and the call
 * view, the kiosk's warning in plain words, and the switch to sound only while the line cannot carry video.
 * The node that owns the session acts; the others ignore the event (the SFU announces it to every node).
 */
export class LinkWatch {
  constructor(
    private readonly calls: CallService,
    sfu: SfuApi,
    private readonly log: Logger,
  ) {
    sfu.on('linkQuality', (e) => void this.graded(e).catch((err) => log.warn('link grade not applied', { sessionId: e.sessionId, ...errorFields(err) })));
  }

  private async graded({ sessionId, peerId, ...report }: SfuEventPayload<'linkQuality'>): Promise<void> {
    const live = this.calls.session(sessionId);
    // Only the villager's line is shown: an officer's own network shows in their own browser.
    if (live?.peers.get(peerId)?.role !== 'kiosk') return;
    live.kioskLink = report;
    this.log.info('kiosk line graded', { sessionId, level: report.level, lossPct: report.lossPct, rttMs: report.rttMs });
    this.plan(live);
    this.calls.broadcastState(live);
    await this.calls.syncPresence(live);
  }

  /** Starts (or cancels) the switch the line calls for, so a short dip or a short recovery changes nothing. */
  private plan(live: LiveSession): void {
    clearTimeout(live.linkTimer);
    live.linkTimer = undefined;
    const poor = live.kioskLink?.level === 'poor';
    if (poor === (live.videoSuspended ?? false)) return;
    live.linkTimer = setTimeout(() => {
      live.linkTimer = undefined;
      if (this.calls.session(live.id) !== live) return;
      live.videoSuspended = poor;
      this.log.info(poor ? 'call switched to sound only: the line cannot carry video' : 'call back to video: the line recovered', { sessionId: live.id });
      this.calls.broadcastState(live);
    }, poor ? SOUND_ONLY_AFTER_MS : VIDEO_BACK_AFTER_MS);
    live.linkTimer.unref();
  }
}
