/**
 * Loss on what a participant sends (before retransmission) from which its top simulcast layer is held back.
 * On a lossy uplink Chromium's bandwidth estimate swings around what the top layer needs, so the browser stops
 * and restarts that layer every few seconds. Each stop leaves every viewer of it without a picture until the SFU
 * notices the layer has gone and switches down with a new key frame: measured through a 5 % lossy relay, 2–3 s
 * of frozen picture each time (issue 19). Forwarding the layer below, which keeps running, costs resolution and
 * no freezes.
 */
export const CAP_LOSS_PCT = 3;
/** Clean samples in a row (20 s at one per 2 s) before the top layer is forwarded again: long enough for the
 * browser's estimate to settle, so the layer is not taken back just before it stops again. */
export const UNCAP_SAMPLES = 10;

/** Whether one participant's uplink is lossy enough to hold its top layer back, sample by sample. */
export class UplinkLayerCap {
  private capped = false;
  private cleanRun = 0;

  get active(): boolean {
    return this.capped;
  }

  /** Takes the uplink loss of one sample; true when the cap was set or lifted by it. */
  update(upLossPct: number): boolean {
    if (upLossPct >= CAP_LOSS_PCT) {
      this.cleanRun = 0;
      if (this.capped) return false;
      this.capped = true;
      return true;
    }
    if (!this.capped || ++this.cleanRun < UNCAP_SAMPLES) return false;
    this.capped = false;
    this.cleanRun = 0;
    return true;
  }
}

/**
 * The spatial layer a consumer is given: the one asked for (the top one when nothing was asked), one below the
 * producer's top while its sender's uplink is capped. `layers` is the producer's number of simulcast encodings.
 */
export function effectiveLayer(wanted: number | undefined, layers: number, capped: boolean): number {
  const top = Math.max(0, layers - 1);
  const want = Math.min(wanted ?? top, top);
  return capped ? Math.min(want, Math.max(0, top - 1)) : want;
}
