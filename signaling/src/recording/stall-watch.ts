/** How often the recorder looks at each track. */
export const LOOK_EVERY_MS = 1000;
/** Without bytes for this long (of time actually watched) while packets arrive, the recorder is failing. */
export const STALL_MS = 4000;
/** A new ffmpeg first probes its input (up to 2 s) and waits for a keyframe before it writes anything. */
export const STARTUP_MS = 10_000;

/** A monotonic clock in milliseconds: wall-clock steps (NTP, an operator) must not look like silence. */
export type Clock = () => number;
export const monotonic: Clock = () => performance.now();

export type Look = 'growing' | 'quiet' | 'stalled';

/**
 * Decides, look by look, whether one track's recorder is still writing. Durations come from a monotonic clock,
 * and a look that came late — the timer could not run because the machine was saturated — does not count the
 * time it missed as silence: on a loaded 2-core machine the check's own lateness used to be most of a "stall".
 * A recorder that really stops writing still stalls after STALL_MS of watched time, however busy the machine.
 */
export class StallWatch {
  private lastBytes = 0;
  private lastGrowth: number;
  private lastLook: number;

  constructor(private readonly clock: Clock = monotonic) {
    this.lastGrowth = this.lastLook = clock();
  }

  /** ffmpeg (re)started or recording resumed: the silence so far is not the recorder's fault. */
  restarted(): void {
    this.lastGrowth = this.lastLook = this.clock();
  }

  /** Milliseconds of watched time without the byte count changing. */
  get silentMs(): number {
    return this.clock() - this.lastGrowth;
  }

  /**
   * `starved`: the recorder process has been waiting for a CPU rather than running (runnable, and next to no CPU
   * time since the last look). That interval is the machine's overload, not the recorder failing: not counted.
   * A frozen, hung or spinning recorder is not starved and still stalls.
   */
  look(bytes: number, packetsArrive: boolean, starved = false): Look {
    const now = this.clock();
    const missed = starved ? now - this.lastLook : now - this.lastLook - LOOK_EVERY_MS;
    // Up to one interval late is ordinary jitter; beyond that nobody was watching, so it is not counted.
    if (starved || missed > LOOK_EVERY_MS) this.lastGrowth = Math.min(now, this.lastGrowth + missed);
    this.lastLook = now;
    if (bytes !== this.lastBytes) {
      this.lastBytes = bytes;
      this.lastGrowth = now;
      return 'growing';
    }
    const limit = this.lastBytes > 0 ? STALL_MS : STARTUP_MS;
    return packetsArrive && now - this.lastGrowth > limit ? 'stalled' : 'quiet';
  }
}
