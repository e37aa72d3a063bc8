import type { Page } from 'puppeteer-core';

// What the viewer sees, timed inside the page: a frame's presentation time comes from the compositor, so a slow
// test process (a busy machine, a page.evaluate queued behind others) cannot stretch a gap the viewer never saw.

/**
 * Logs, inside the page, when each frame of `<video data-testid=testId>` is presented (requestVideoFrameCallback),
 * following the element if it is replaced. Install once, after navigation. Read with presentedFrames.
 */
export async function logPresentedFrames(page: Page, testId: string): Promise<void> {
  await page.evaluate((id) => {
    const w = window as unknown as { __vjPresented?: number[] };
    if (w.__vjPresented) return;
    const times: number[] = (w.__vjPresented = []);
    let current: HTMLVideoElement | null = null;
    const follow = () => {
      const el = document.querySelector(`[data-testid="${id}"]`) as HTMLVideoElement | null;
      if (el && el !== current) {
        current = el;
        const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
          if (current !== el) return;
          times.push(meta.presentationTime);
          // Two minutes at 30 fps is plenty for one window.
          if (times.length > 4000) times.splice(0, times.length - 4000);
          el.requestVideoFrameCallback(onFrame);
        };
        el.requestVideoFrameCallback(onFrame);
      }
      setTimeout(follow, 200);
    };
    follow();
  }, testId);
}

/** The presentation times (page clock) logged between `from` and `to`. */
export async function presentedFrames(page: Page, from: number, to: number): Promise<number[]> {
  return page.evaluate((a, b) => ((window as unknown as { __vjPresented?: number[] }).__vjPresented ?? []).filter((t) => t >= a && t <= b), from, to);
}
