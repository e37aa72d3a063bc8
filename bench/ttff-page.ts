// Time to first frame, read inside the receiving page: both ends of each measure come from the same page's
// clock (performance.timeOrigin + a high-resolution time), so the benchmark process's own latency to the
// browser (puppeteer round trips on a loaded machine) does not enter the figure.
import type { Page } from 'puppeteer-core';

/**
 * Resolves with the absolute time the first frame of the <video> matching `selector` was presented, taken from
 * that element's requestVideoFrameCallback: only that element's own track counts, never another connection's.
 * Waits for the element and its video track to exist first (the call view renders after the answer).
 */
export async function armFirstFrame(page: Page, selector: string): Promise<void> {
  await page.evaluate((sel) => {
    const w = window as unknown as { __vjFirstFrame?: Promise<number> };
    w.__vjFirstFrame = new Promise<number>((resolve) => {
      const look = () => {
        const el = document.querySelector(sel) as HTMLVideoElement | null;
        const stream = el?.srcObject as MediaStream | null | undefined;
        if (!el || !stream || stream.getVideoTracks().length === 0) return void setTimeout(look, 5);
        el.requestVideoFrameCallback((_now, meta) => resolve(performance.timeOrigin + meta.presentationTime));
      };
      look();
    });
  }, selector);
}

/** The armed first frame's absolute time, waiting up to `timeoutMs` for it. */
export async function firstFrameAt(page: Page, timeoutMs = 20_000): Promise<number> {
  return page.evaluate(
    (ms) =>
      Promise.race([
        (window as unknown as { __vjFirstFrame: Promise<number> }).__vjFirstFrame,
        new Promise<number>((_r, reject) => setTimeout(() => reject(new Error(`no frame within ${ms} ms`)), ms)),
      ]),
    timeoutMs,
  );
}

/** The page's absolute time now, on the same clock as firstFrameAt. */
export function pageNow(page: Page): Promise<number> {
  return page.evaluate(() => performance.timeOrigin + performance.now());
}

/** Records the time of the next click on an element matching `selector` (capture phase, the event's own timestamp). */
export async function armClickTime(page: Page, selector: string): Promise<void> {
  await page.evaluate((sel) => {
    const w = window as unknown as { __vjClickAt?: Promise<number> };
    w.__vjClickAt = new Promise<number>((resolve) => {
      const onClick = (e: MouseEvent) => {
        if (!(e.target instanceof Element) || !e.target.closest(sel)) return;
        document.removeEventListener('click', onClick, true);
        resolve(performance.timeOrigin + e.timeStamp);
      };
      document.addEventListener('click', onClick, true);
    });
  }, selector);
}

export function clickTime(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __vjClickAt: Promise<number> }).__vjClickAt);
}

/**
 * Where one call's time to first frame goes (BENCH_TTFF_PHASES=1): the peer connections the page creates from now
 * on are traced, and each step is stamped on the page's clock: the connection made (after the answer's round trip
 * and the transport's creation), the offer set (the consume), the track, ICE+DTLS connected, the first bytes and
 * the first decoded frame of inbound video (polled every 10 ms from getStats, so up to 10 ms late).
 */
export async function armPhases(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __vjPhases?: [string, number][]; __vjOrigPc?: typeof RTCPeerConnection };
    const at = () => performance.timeOrigin + performance.now();
    const phases: [string, number][] = [];
    w.__vjPhases = phases;
    const once = (what: string) => void (phases.some(([p]) => p === what) || phases.push([what, at()]));
    const Orig = (w.__vjOrigPc ??= window.RTCPeerConnection);
    class Traced extends Orig {
      constructor(config?: RTCConfiguration) {
        super(config);
        once('pc created');
        this.addEventListener('track', () => once('track'));
        this.addEventListener('connectionstatechange', () => this.connectionState === 'connected' && once('connected'));
        const poll = setInterval(() => {
          if (this.connectionState === 'closed') return clearInterval(poll);
          void this.getStats().then((stats) =>
            stats.forEach(
              (s: {
                type: string;
                kind?: string;
                bytesReceived?: number;
                framesReceived?: number;
                framesDecoded?: number;
                pliCount?: number;
                frameWidth?: number;
              }) => {
                if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
                if ((s.bytesReceived ?? 0) > 0) once('video bytes');
                if ((s.framesReceived ?? 0) > 0) once('frames received');
                if ((s.pliCount ?? 0) > 0) once('PLI sent');
                if ((s.framesDecoded ?? 0) === 0) return;
                once(`decoded ${s.frameWidth ?? '?'}px`);
                clearInterval(poll);
              },
            ),
          );
        }, 10);
      }
      override setRemoteDescription(d: RTCSessionDescriptionInit): Promise<void> {
        once('offer set');
        return super.setRemoteDescription(d);
      }
    }
    window.RTCPeerConnection = Traced;
  });
}

/** The armed steps, as ms after `from` (the click), in the order they happened. */
export async function phasesSince(page: Page, from: number): Promise<string> {
  const phases = await page.evaluate(() => (window as unknown as { __vjPhases?: [string, number][] }).__vjPhases ?? []);
  return phases
    .sort((a, b) => a[1] - b[1])
    .map(([what, t]) => `${what} ${(t - from).toFixed(0)}`)
    .join(', ');
}
