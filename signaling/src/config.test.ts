import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

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

  it('refuses inconsistent network settings with the variable named', () => {
    expect(() => loadConfig({ RTC_LISTEN_IP: '0.0.0.0' })).toThrow(/RTC_ANNOUNCED_IP/);
    expect(() => loadConfig({ RTC_MIN_PORT: '50000', RTC_MAX_PORT: '40000' })).toThrow(/RTC_MIN_PORT/);
    expect(() => loadConfig({ TLS_CERT_FILE: '/x' })).toThrow(/TLS_KEY_FILE/);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
  });
});
