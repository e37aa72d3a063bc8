import { describe, expect, it } from 'vitest';
import { KioskChecks, judge } from './kiosk-check.js';

const fine = { camera: 'ok', microphone: 'ok', rttMs: 12.4, connectMs: 300 } as const;

describe('judging a kiosk check against what the SFU received', () => {
  it('passes a kiosk whose camera and microphone both arrived', () => {
    expect(judge(fine, { audio: 150, video: 300 }, 2)).toEqual({ ok: true, camera: 'ok', microphone: 'ok', network: 'ok', rttMs: 12 });
  });

  it('blames the network when nothing arrived, and keeps the devices’ own verdicts', () => {
    expect(judge({ ...fine, connectMs: null, rttMs: null }, { audio: 0, video: 0 }, 2)).toEqual({
      ok: false,
      camera: 'ok',
      microphone: 'ok',
      network: 'failed',
      rttMs: null,
    });
  });

  it('blames the camera when sound arrived and video did not, though the browser saw frames', () => {
    expect(judge(fine, { audio: 150, video: 0 }, 2)).toMatchObject({ ok: false, camera: 'failed', network: 'ok' });
  });

  it('blames the microphone when video arrived and sound did not', () => {
    expect(judge(fine, { audio: 0, video: 300 }, 2)).toMatchObject({ ok: false, microphone: 'failed' });
  });

  it('fails a silent microphone and a camera that gave no frames', () => {
    expect(judge({ ...fine, microphone: 'silent' }, { audio: 150, video: 300 }, 2)).toMatchObject({ ok: false, microphone: 'silent' });
    expect(judge({ ...fine, camera: 'failed' }, { audio: 150, video: 0 }, 1)).toMatchObject({ ok: false, camera: 'failed', network: 'ok' });
  });

  it('calls a long round trip slow but passes it, and leaves the network untested with nothing to send', () => {
    expect(judge({ ...fine, rttMs: 450 }, { audio: 150, video: 300 }, 2)).toMatchObject({ ok: true, network: 'slow' });
    expect(judge({ camera: 'failed', microphone: 'failed', rttMs: null, connectMs: null }, { audio: 0, video: 0 }, 0)).toMatchObject({
      ok: false,
      network: 'untested',
    });
  });
});

describe('when a kiosk is asked to check itself', () => {
  const at = (iso: string, ok: boolean) => ({ at: iso, ok, camera: 'ok', microphone: 'ok', network: 'ok', rttMs: 1 }) as const;
  const checksWith = (check: ReturnType<typeof at> | null) =>
    new KioskChecks(
      undefined as never,
      undefined as never,
      { get: async () => [{ code: 'r', kioskOnline: true, kioskSince: null, session: null, check }] } as never,
      undefined as never,
      async () => {},
      undefined as never,
    );

  it('asks a kiosk never checked, and one last checked on another day', async () => {
    const now = new Date(2026, 11, 3, 9, 0);
    expect(await checksWith(null).due('r', now)).toBe(true);
    expect(await checksWith(at(new Date(2026, 11, 2, 16, 0).toISOString(), true)).due('r', now)).toBe(true);
  });

  it('does not ask again the same day after a pass, and asks again 10 minutes after a failure', async () => {
    const now = new Date(2026, 11, 3, 9, 0);
    expect(await checksWith(at(new Date(2026, 11, 3, 8, 0).toISOString(), true)).due('r', now)).toBe(false);
    expect(await checksWith(at(new Date(2026, 11, 3, 8, 55).toISOString(), false)).due('r', now)).toBe(false);
    expect(await checksWith(at(new Date(2026, 11, 3, 8, 49).toISOString(), false)).due('r', now)).toBe(true);
  });
});
