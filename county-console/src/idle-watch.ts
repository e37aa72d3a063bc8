const INPUT = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const;

/**
 * The console's session timeout (等保): after `timeoutS` with no input it logs out, with a warning counting down
 * the last minute (half the time when it is shorter). Never while `busy()`: an officer in a call is working even
 * when only listening.
 */
export class IdleWatch {
  private last = Date.now();
  private warned = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly touch = () => {
    this.last = Date.now();
    if (this.warned) {
      this.warned = false;
      this.onWarn(undefined);
    }
  };

  constructor(
    private readonly timeoutS: number,
    private readonly busy: () => boolean,
    /** Seconds left while warning; undefined once the user is back. */
    private readonly onWarn: (secondsLeft: number | undefined) => void,
    private readonly onIdle: () => void,
  ) {}

  start(): void {
    for (const e of INPUT) window.addEventListener(e, this.touch, { capture: true, passive: true });
    this.timer = setInterval(() => this.check(), 1000);
  }

  /** "继续工作" on the warning. */
  stillHere(): void {
    this.touch();
  }

  private check(): void {
    if (this.busy()) return this.touch();
    const idleS = (Date.now() - this.last) / 1000;
    if (idleS >= this.timeoutS) {
      this.stop();
      return this.onIdle();
    }
    if (idleS >= this.timeoutS - Math.min(60, this.timeoutS / 2)) {
      this.warned = true;
      this.onWarn(Math.ceil(this.timeoutS - idleS));
    }
  }

  /** Safe to call more than once. */
  stop(): void {
    clearInterval(this.timer);
    for (const e of INPUT) window.removeEventListener(e, this.touch, { capture: true });
  }
}
