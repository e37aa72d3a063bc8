import { describe, expect, it } from 'vitest';
import { turnListeners, turnserverConf } from './turnserver-conf.js';

const secret = 'q7Vb2xR9kLm4Tz8Wc1Np6Hs3Jd5Gf0YeUa+/AB=';
const base = { secret, peers: [] as string[], dir: '/srv/vj/data/turn', logFile: 'stdout' };
const lines = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#'));

describe('coturn configuration from TURN_URLS', () => {
  it('turns: on 443 only: that one port, TLS with the certificate, no UDP, no plain port nobody was told about', () => {
    const conf = lines(
      turnserverConf({
        ...base,
        urls: ['turns:vj.example.gov.cn:443?transport=tcp'],
        listenIp: '10.20.0.6',
        tls: { certFile: '/certs/server.crt', keyFile: '/certs/server.key' },
      }),
    );
    expect(conf).toEqual(
      expect.arrayContaining([
        'listening-ip=10.20.0.6',
        'relay-ip=10.20.0.6',
        'listening-port=443',
        'tls-listening-port=443',
        'no-udp',
        'no-dtls',
        'cert=/certs/server.crt',
        'pkey=/certs/server.key',
        'use-auth-secret',
        `static-auth-secret=${secret}`,
        'realm=vj.example.gov.cn',
        'no-cli',
        'no-tcp-relay',
      ]),
    );
    expect(conf.filter((l) => /port=/.test(l))).toEqual(['listening-port=443', 'tls-listening-port=443']);
    expect(conf.some((l) => l === 'no-tls' || l.startsWith('user=') || l === 'no-auth' || l === 'lt-cred-mech')).toBe(false);
  });

  it('plain turn: over UDP and TCP, and turns: on its own port', () => {
    expect(turnListeners(['turn:10.0.0.6:3478', 'turns:10.0.0.6:5349?transport=tcp'])).toEqual({ realm: '10.0.0.6', port: 3478, tlsPort: 5349, udp: true });
    expect(turnListeners(['turn:10.0.0.6:443?transport=tcp'])).toEqual({ realm: '10.0.0.6', port: 443, tlsPort: undefined, udp: false });
    expect(lines(turnserverConf({ ...base, urls: ['turn:10.0.0.6:443?transport=tcp'] }))).toEqual(
      expect.arrayContaining(['listening-port=443', 'no-udp', 'no-tls']),
    );
  });

  it('relays only to the SFU when its addresses are given', () => {
    const conf = lines(turnserverConf({ ...base, urls: ['turn:10.0.0.6'], peers: ['10.20.0.5'] }));
    expect(conf).toEqual(expect.arrayContaining(['denied-peer-ip=0.0.0.0-255.255.255.255', 'allowed-peer-ip=10.20.0.5']));
    expect(lines(turnserverConf({ ...base, urls: ['turn:10.0.0.6'] })).some((l) => l.includes('peer-ip'))).toBe(false);
  });

  it('refuses what coturn cannot serve as asked', () => {
    expect(() => turnserverConf({ ...base, urls: ['turns:vj.example.gov.cn:443'] })).toThrow(/certificate/);
    expect(() => turnListeners(['turn:a:3478', 'turn:a:3479'])).toThrow(/one port/);
    expect(() => turnserverConf({ ...base, urls: ['turn:a'], secret: 'a b' })).toThrow(/spaces/);
  });
});
