import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { MasterKeys, base32, newId, newTotpSecret, randomSecret } from './crypto.js';
import { KeyRing } from './jwt.js';

const DemoSecrets = z.object({
  jwt: z.object({ kid: z.string(), secret: z.string() }),
  /** Absent only in files from before identity was encrypted: nothing can have been sealed without it. */
  masterKeys: z.string().optional(),
  /** room code → "<deviceId>.<secret>", so the printed kiosk links keep working across restarts. */
  kiosks: z.record(z.string(), z.string()),
  /** Base32 TOTP secret of the demo accounts that need a second factor, printed with the demo logins. */
  totp: z
    .string()
    .regex(/^[A-Z2-7]+$/)
    .optional(),
});
export type DemoSecrets = z.infer<typeof DemoSecrets> & { masterKeys: string };

export const DEMO_SECRETS_FILE = 'demo-secrets.json';

export class DemoSecretsError extends Error {}

function read(file: string): z.infer<typeof DemoSecrets> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new DemoSecretsError(
      `${file} is not valid JSON: refusing to start, because new keys would lose every identity sealed with the old ones. Restore the file from a backup (or move it away to start a new, empty demo).`,
    );
  }
  const r = DemoSecrets.safeParse(parsed);
  if (!r.success) {
    throw new DemoSecretsError(
      `${file} lacks ${r.error.issues.map((i) => i.path.join('.') || '(root)').join(', ')}: refusing to start rather than replace its keys. Restore it from a backup (or move it away to start a new, empty demo).`,
    );
  }
  if (r.data.masterKeys !== undefined) MasterKeys.parse(r.data.masterKeys); // throws on a damaged key
  return r.data;
}

/**
 * Demo mode only: secrets generated on first start and kept in the data directory (mode 0600). Production
 * mode never calls this; it refuses to start without configured secrets. A file that exists but cannot be read
 * is never replaced: that would silently make every sealed identity unreadable.
 */
export function loadOrCreateDemoSecrets(dataDir: string, roomCodes: string[]): DemoSecrets & { totp: string } {
  const file = path.join(dataDir, DEMO_SECRETS_FILE);
  const exists = fs.existsSync(file);
  const found = exists ? read(file) : undefined;
  const secrets: DemoSecrets & { totp: string } = found
    ? { ...found, masterKeys: found.masterKeys ?? MasterKeys.generateSpec(1), totp: found.totp ?? base32(newTotpSecret()) }
    : { jwt: KeyRing.generate('demo1'), masterKeys: MasterKeys.generateSpec(1), kiosks: {}, totp: base32(newTotpSecret()) };
  let changed = !found || found.masterKeys === undefined || found.totp === undefined;
  for (const code of roomCodes) {
    if (!secrets.kiosks[code]) {
      secrets.kiosks[code] = `${newId()}.${randomSecret(32)}`;
      changed = true;
    }
  }
  if (changed) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(secrets, null, 2), { mode: 0o600 });
    fs.renameSync(`${file}.tmp`, file);
  }
  return secrets;
}

/** For CLI tools: the demo secrets when the configuration relies on them, never creating any. */
export function loadDemoSecretsIfAny(config: {
  demo: boolean;
  masterKeys?: string | undefined;
  masterKeyFile?: string | undefined;
  dataDir: string;
}): DemoSecrets | undefined {
  if (!config.demo || config.masterKeys || config.masterKeyFile) return undefined;
  const file = path.join(config.dataDir, DEMO_SECRETS_FILE);
  const found = fs.existsSync(file) ? read(file) : undefined;
  return found?.masterKeys ? { ...found, masterKeys: found.masterKeys } : undefined;
}
