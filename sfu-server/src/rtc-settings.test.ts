import { describe, expect, it } from 'vitest';
import { RtcEnv, RtcSettingsError, sfuConfigFromEnv } from './rtc-settings.js';

describe('the media path settings both servers read', () => {
  it('takes the defaults and the values it is given', () => {
    const c = sfuConfigFromEnv(RtcEnv.parse({ RTC_LISTEN_IP: '10.0.0.5', RTC_MIN_PORT: '41000', RTC_MAX_PORT: '41999', SFU_WORKERS: '3' }));
    expect(c).toMatchObject({ listenIp: '10.0.0.5', announcedIp: undefined, rtcMinPort: 41000, rtcMaxPort: 41999, workers: 3 });
    expect(sfuConfigFromEnv(RtcEnv.parse({}))).toMatchObject({ listenIp: '127.0.0.1', rtcMinPort: 40000, rtcMaxPort: 49999 });
  });

  it('passes a standalone node its pipe addresses', () => {
    const c = sfuConfigFromEnv(RtcEnv.parse({}), { pipeIp: '10.0.0.6', pipeAnnouncedIp: '192.0.2.6' });
    expect(c).toMatchObject({ pipeIp: '10.0.0.6', pipeAnnouncedIp: '192.0.2.6' });
  });

  it('refuses a port range that runs backwards and an unannounced wildcard address, naming the variable', () => {
    expect(() => sfuConfigFromEnv(RtcEnv.parse({ RTC_MIN_PORT: '45000', RTC_MAX_PORT: '44000' }))).toThrow(RtcSettingsError);
    expect(() => sfuConfigFromEnv(RtcEnv.parse({ RTC_MIN_PORT: '45000', RTC_MAX_PORT: '44000' }))).toThrow(/RTC_MIN_PORT/);
    expect(() => sfuConfigFromEnv(RtcEnv.parse({ RTC_LISTEN_IP: '0.0.0.0' }))).toThrow(/RTC_ANNOUNCED_IP/);
    expect(sfuConfigFromEnv(RtcEnv.parse({ RTC_LISTEN_IP: '0.0.0.0', RTC_ANNOUNCED_IP: '192.0.2.1' })).announcedIp).toBe('192.0.2.1');
  });

  it('refuses ports below 1024 and a worker count out of range', () => {
    expect(RtcEnv.safeParse({ RTC_MIN_PORT: '80' }).success).toBe(false);
    expect(RtcEnv.safeParse({ SFU_WORKERS: '0' }).success).toBe(false);
    expect(RtcEnv.safeParse({ SFU_WORKERS: '65' }).success).toBe(false);
  });
});
