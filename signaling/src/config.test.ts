import { describe, expect, it } from 'vitest';
import { RtcEnv, sfuConfigFromEnv } from '@vj/sfu-server';
import { ConfigError, MIN_EMBEDDED_RESERVE_MB, loadConfig } from './config.js';

const secret = 'k1:' + 'x'.repeat(40);

describe('loadConfig', () => {
  it('defaults to demo mode with embedded storage', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ mode: 'demo', demo: true, databaseUrl: undefined, port: 3000 });
  });

  it('refuses production mode without secrets, master keys or PostgreSQL', () => {
    expect(() => loadConfig({ VJ_MODE: 'production', DATABASE_URL: 'postgres://x/y' })).toThrow(ConfigError);
    expect(() => loadConfig({ VJ_MODE: 'production', JWT_SECRETS: secret })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ VJ_MODE: 'production', JWT_SECRETS: secret, DATABASE_URL: 'postgres://x/y' })).toThrow(/VJ_MASTER_KEYS/);
    expect(loadConfig({ VJ_MODE: 'production', JWT_SECRETS: secret, DATABASE_URL: 'postgres://x/y', VJ_MASTER_KEYS: `1:${'A'.repeat(43)}=` }).demo).toBe(false);
    // The second factor cannot be switched off outside the demo.
    const prod = { VJ_MODE: 'production', JWT_SECRETS: secret, DATABASE_URL: 'postgres://x/y', VJ_MASTER_KEYS: `1:${'A'.repeat(43)}=` };
    expect(loadConfig(prod).secondFactor).toBe(true);
    expect(() => loadConfig({ ...prod, DEMO_SECOND_FACTOR: 'off' })).toThrow(/DEMO_SECOND_FACTOR=off is for demo mode only/);
    expect(loadConfig({ VJ_MODE: 'demo' }).secondFactor).toBe(true);
  });

  it('times requests between signaling nodes by their own setting, the SFU request time when it is unset', () => {
    expect(loadConfig({ SFU_REQUEST_TIMEOUT_MS: '7000' })).toMatchObject({ sfuTimeoutMs: 7000, nodeTimeoutMs: 7000 });
    expect(loadConfig({ SFU_REQUEST_TIMEOUT_MS: '7000', NODE_REQUEST_TIMEOUT_MS: '2500' })).toMatchObject({ sfuTimeoutMs: 7000, nodeTimeoutMs: 2500 });
    expect(() => loadConfig({ NODE_REQUEST_TIMEOUT_MS: '5' })).toThrow(/NODE_REQUEST_TIMEOUT_MS/);
  });

  it('refuses inconsistent network settings with the variable named', () => {
    expect(() => loadConfig({ RTC_LISTEN_IP: '0.0.0.0' })).toThrow(/RTC_ANNOUNCED_IP/);
    expect(() => loadConfig({ RTC_MIN_PORT: '50000', RTC_MAX_PORT: '40000' })).toThrow(/RTC_MIN_PORT/);
    expect(() => loadConfig({ TLS_CERT_FILE: '/x' })).toThrow(/TLS_KEY_FILE/);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
  });

  it('reads the media path with the schema a standalone SFU node reads, and refuses with a ConfigError', () => {
    const env = { RTC_LISTEN_IP: '0.0.0.0', RTC_ANNOUNCED_IP: '192.0.2.1', RTC_MIN_PORT: '42000', RTC_MAX_PORT: '42999', SFU_WORKERS: '2' };
    expect(loadConfig(env).rtc).toEqual(sfuConfigFromEnv(RtcEnv.parse(env)));
    expect(() => loadConfig({ RTC_MIN_PORT: '50000', RTC_MAX_PORT: '40000' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ID: 'has space' })).toThrow(/NODE_ID/);
    expect(() => loadConfig({ REDIS_PREFIX: 'a b' })).toThrow(/REDIS_PREFIX/);
  });

  it('TURN is off unless TURN_URLS is set, and then needs a strong TURN_SECRET of its own', () => {
    const turnSecret = 'q7Vb2xR9kLm4Tz8Wc1Np6Hs3Jd5Gf0YeUa+/AB=';
    expect(loadConfig({}).turn).toBeUndefined();
    // docker-compose passes unset variables through as empty strings.
    expect(loadConfig({ TURN_URLS: '', TURN_SECRET: '' }).turn).toBeUndefined();
    expect(loadConfig({ TURN_URLS: 'turns:vj.example.gov.cn:443?transport=tcp, turn:10.0.0.6:3478', TURN_SECRET: turnSecret }).turn).toEqual({
      urls: ['turns:vj.example.gov.cn:443?transport=tcp', 'turn:10.0.0.6:3478'],
      secret: turnSecret,
      credentialTtlS: 600,
    });
    expect(loadConfig({ TURN_URLS: 'turn:[::1]:3478?transport=tcp', TURN_SECRET: turnSecret, TURN_CREDENTIAL_TTL_S: '900' }).turn?.credentialTtlS).toBe(900);
    expect(() => loadConfig({ TURN_URLS: 'turn:10.0.0.6' })).toThrow(/TURN_URLS needs TURN_SECRET/);
    expect(() => loadConfig({ TURN_SECRET: turnSecret })).toThrow(/TURN_URLS is not/);
    expect(() => loadConfig({ TURN_URLS: 'https://vj.example.gov.cn', TURN_SECRET: turnSecret })).toThrow(/TURN_URLS/);
    expect(() => loadConfig({ TURN_URLS: 'turn:x?transport=sctp', TURN_SECRET: turnSecret })).toThrow(/TURN_URLS/);
    expect(() => loadConfig({ TURN_URLS: 'turn:x', TURN_SECRET: 'short-secret' })).toThrow(/shorter than 32 bytes/);
    expect(() => loadConfig({ TURN_URLS: 'turn:x', TURN_SECRET: 'changeme'.repeat(5) })).toThrow(/random bytes/);
    expect(() => loadConfig({ TURN_URLS: 'turn:x', TURN_SECRET: `${turnSecret} #x` })).toThrow(/TURN_SECRET may hold only/);
    expect(() => loadConfig({ TURN_URLS: 'turn:x', TURN_SECRET: turnSecret, TURN_CREDENTIAL_TTL_S: '5' })).toThrow(/TURN_CREDENTIAL_TTL_S/);
    // Not the secret that signs this server's tokens, in demo or production.
    expect(() => loadConfig({ TURN_URLS: 'turn:x', TURN_SECRET: turnSecret, JWT_SECRETS: `k1:${turnSecret}` })).toThrow(/JWT_SECRETS/);
  });

  it('refuses a disk reserve the embedded database cannot live with (smaller than three WAL segments), not on PostgreSQL', () => {
    expect(() => loadConfig({ DISK_RESERVE_MB: '16' })).toThrow(/DISK_RESERVE_MB is 16/);
    expect(() => loadConfig({ DISK_RESERVE_MB: String(MIN_EMBEDDED_RESERVE_MB - 1) })).toThrow(ConfigError);
    expect(loadConfig({ DISK_RESERVE_MB: String(MIN_EMBEDDED_RESERVE_MB) }).diskReserveMb).toBe(MIN_EMBEDDED_RESERVE_MB);
    expect(loadConfig({ DISK_RESERVE_MB: '0' }).diskReserveMb).toBe(0);
    expect(loadConfig({ DISK_RESERVE_MB: '16', DATABASE_URL: 'postgres://x/y' }).diskReserveMb).toBe(16);
  });
});
