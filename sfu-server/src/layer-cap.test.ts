import { describe, expect, it } from 'vitest';
import { CAP_LOSS_PCT, effectiveLayer, UNCAP_SAMPLES, UplinkLayerCap } from './layer-cap.js';

describe('holding back the top simulcast layer of a lossy uplink', () => {
  it('caps at the first lossy sample and lifts only after a clean run', () => {
    const cap = new UplinkLayerCap();
    expect(cap.update(0)).toBe(false);
    expect(cap.update(CAP_LOSS_PCT - 0.1)).toBe(false);
    expect(cap.active).toBe(false);
    expect(cap.update(CAP_LOSS_PCT)).toBe(true);
    expect(cap.active).toBe(true);
    expect(cap.update(8)).toBe(false);
    // One lossy sample inside the clean run starts it again.
    for (let i = 0; i < UNCAP_SAMPLES - 1; i++) expect(cap.update(0)).toBe(false);
    expect(cap.update(5)).toBe(false);
    for (let i = 0; i < UNCAP_SAMPLES - 1; i++) expect(cap.update(1)).toBe(false);
    expect(cap.active).toBe(true);
    expect(cap.update(0)).toBe(true);
    expect(cap.active).toBe(false);
  });

  it('gives one layer below the top while capped, never more than asked for', () => {
    expect(effectiveLayer(undefined, 3, false)).toBe(2);
    expect(effectiveLayer(undefined, 3, true)).toBe(1);
    expect(effectiveLayer(2, 3, true)).toBe(1);
    expect(effectiveLayer(0, 3, true)).toBe(0);
    expect(effectiveLayer(1, 3, false)).toBe(1);
    // A single stream has only its one layer, capped or not; a wish above the top is the top.
    expect(effectiveLayer(undefined, 1, true)).toBe(0);
    expect(effectiveLayer(2, 2, false)).toBe(1);
  });
});
