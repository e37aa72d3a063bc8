import fs from 'node:fs';
import path from 'node:path';
import { Secret, TOTP } from 'otpauth';

/** The demo accounts' TOTP secret, as the banner prints it (demo-secrets.json in the server's DATA_DIR). */
export function demoTotpSecret(dataDir: string): string {
  const s = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-secrets.json'), 'utf8')) as { totp?: string };
  if (!s.totp) throw new Error('no demo TOTP secret in the data directory');
  return s.totp;
}

/** The 6-digit code an authenticator app shows for this secret, `steps` 30-second steps from now. */
export function totpCode(secretBase32: string, steps = 0): string {
  return new TOTP({ secret: Secret.fromBase32(secretBase32), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: Date.now() + steps * 30_000 });
}
