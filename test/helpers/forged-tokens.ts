import { generateKeyPairSync, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ISSUER, KeyRing } from '../../signaling/src/security/jwt.js';

const sub = randomUUID();
const sid = randomUUID();
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const officerClaims = () => ({ sub, sid, role: 'county_officer', name: 'x', aud: 'vj:console', iss: ISSUER, iat: now(), exp: now() + 600 });

function withPayload(token: string, edit: (p: Record<string, unknown>) => void): string {
  const [h, p, s] = token.split('.') as [string, string, string];
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
  edit(payload);
  return `${h}.${b64(payload)}.${s}`;
}

/** Every variant an attacker (or a bug) could present; none may be accepted. */
export function forgedConsoleTokens(keys: { kid: string; secret: string }): Record<string, string> {
  const good = new KeyRing([keys]).sign({ sub, sid, role: 'county_officer', name: 'x' }, 'vj:console', 600).token;
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const opts = { keyid: keys.kid, algorithm: 'HS256' as const };
  const out: Record<string, string> = {};
  for (const alg of ['none', 'None', 'NONE', 'nOnE']) out[`alg ${alg}`] = `${b64({ alg, typ: 'JWT', kid: keys.kid })}.${b64(officerClaims())}.`;
  out['alg none with signature'] = `${b64({ alg: 'none', kid: keys.kid })}.${b64(officerClaims())}.${good.split('.')[2]}`;
  out['HS256 signed with an RSA public key'] = jwt.sign(officerClaims(), pem, opts);
  out['RS256 header'] = `${b64({ alg: 'RS256', kid: keys.kid })}.${b64(officerClaims())}.${good.split('.')[2]}`;
  out['HS512 with the right secret'] = jwt.sign(officerClaims(), keys.secret, { ...opts, algorithm: 'HS512' });
  const sig = good.split('.')[2]!;
  const flipped = Buffer.from(sig, 'base64url');
  flipped[0]! ^= 1;
  out['flipped signature bit'] = good.split('.').slice(0, 2).join('.') + '.' + flipped.toString('base64url');
  out['edited payload (role)'] = withPayload(good, (p) => (p['role'] = 'county_supervisor'));
  out['edited payload (sub)'] = withPayload(good, (p) => (p['sub'] = randomUUID()));
  out['edited payload (exp)'] = withPayload(good, (p) => (p['exp'] = now() + 99999));
  out['wrong secret'] = jwt.sign(officerClaims(), 'z'.repeat(48), opts);
  out['expired'] = jwt.sign({ ...officerClaims(), iat: now() - 7200, exp: now() - 3600 }, keys.secret, opts);
  out['future nbf'] = jwt.sign({ ...officerClaims(), nbf: now() + 3600 }, keys.secret, opts);
  const { exp: _exp, ...noExp } = officerClaims();
  out['missing exp'] = jwt.sign(noExp, keys.secret, opts);
  out['wrong audience'] = jwt.sign({ ...officerClaims(), aud: 'someone-else' }, keys.secret, opts);
  out['wrong issuer'] = jwt.sign({ ...officerClaims(), iss: 'evil' }, keys.secret, opts);
  out['unknown kid'] = jwt.sign(officerClaims(), keys.secret, { ...opts, keyid: 'nope' });
  out['no kid'] = jwt.sign(officerClaims(), keys.secret, { algorithm: 'HS256' });
  out['kiosk token'] = new KeyRing([keys]).sign({ sub, role: 'kiosk', name: 'x', room: 'xingsha' }, 'vj:kiosk', 600).token;
  out['kiosk role on console audience'] = jwt.sign({ ...officerClaims(), role: 'kiosk', room: 'xingsha' }, keys.secret, opts);
  out['unknown role'] = jwt.sign({ ...officerClaims(), role: 'root' }, keys.secret, opts);
  out['sub not a uuid'] = jwt.sign({ ...officerClaims(), sub: 'admin' }, keys.secret, opts);
  out['oversized'] = jwt.sign({ ...officerClaims(), pad: 'x'.repeat(5000) }, keys.secret, opts);
  out['garbage'] = 'not.a.jwt';
  out['empty'] = '';
  out['two segments'] = good.split('.').slice(0, 2).join('.');
  out['binary junk'] = Buffer.from([0xff, 0xfe, 0x21, 0x80]).toString('latin1');
  out['token with trailing data'] = `${good}.extra`;
  return out;
}
