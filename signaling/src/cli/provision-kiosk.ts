// Provisions a kiosk credential for a room and prints the one-time provisioning link.
// Usage: npm run kiosk:provision -- <room-code> [label]
import { createLogger } from '@vj/shared';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/db.js';
import { migrate } from '../db/migrate.js';
import { registerKioskDevice } from '../db/seed.js';
import { newId, randomSecret } from '../security/crypto.js';

async function main(): Promise<void> {
  const [room, label = ''] = process.argv.slice(2);
  if (!room) throw new Error('usage: npm run kiosk:provision -- <room-code> [label]');
  const config = loadConfig();
  const log = createLogger('provision', 'warn');
  const db = await openDatabase(config, log);
  try {
    await migrate(db, log);
    const found = await db.query<{ name: string }>('SELECT name FROM rooms WHERE code = $1 AND active', [room]);
    if (!found.rows[0]) throw new Error(`no active room "${room}"; start the server once so the rooms are seeded`);
    const credential = `${newId()}.${randomSecret(32)}`;
    const deviceId = await registerKioskDevice(db, room, credential, label);
    const base = config.publicUrl ?? `http://${config.host}:${config.port}`;
    console.log(`Kiosk ${deviceId} provisioned for ${found.rows[0].name} (${room}).`);
    console.log('Open this link once on the kiosk PC; it is shown only now and stored only as a hash:');
    console.log(`  ${base}/kiosk/#device=${credential}`);
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
