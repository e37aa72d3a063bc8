import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { MasterKeys, newId, randomSecret } from './crypto.js';
import { KeyRing } from './jwt.js';

const DemoSecrets = z.object({
  jwt: z.object({ kid: z.string(), secret: z.string() }),
  masterKeys: z.string().default(() => MasterKeys.generateSpec(1)),
  /** room code → "<deviceId>.<secret>", so the printed kiosk links keep working across restarts. */
  kiosks: z.record(z.string(), z.string()),
});
export type DemoSecrets = z.infer<typeof DemoSecrets>;

/**
 * Demo mode only: secrets generated on first start and kept in the data directory (mode 0600). Production
 * mode never calls this; it refuses to start without configured secrets.
 */
export function loadOrCreateDemoSecrets(dataDir: string, roomCodes: string[]): DemoSecrets {
  const file = path.join(dataDir, 'demo-secrets.json');
  let secrets: DemoSecrets = { jwt: KeyRing.generate('demo1'), masterKeys: MasterKeys.generateSpec(1), kiosks: {} };
  if (fs.existsSync(file)) {
    const parsed = DemoSecrets.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    if (parsed.success) secrets = parsed.data;
  }
  // A missing file or field was just generated: persist it, or the next start would make different keys.
  let changed = !fs.existsSync(file) || !fs.readFileSync(file, 'utf8').includes('"masterKeys"');
  for (const code of roomCodes) {
    if (!secrets.kiosks[code]) {
      secrets.kiosks[code] = `${newId()}.${randomSecret(32)}`;
      changed = true;
    }
  }
  if (changed) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets;
}
