import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '@vj/shared';
import { IntegrityKeys, migrate, openEmbedded, openPostgres, type Db } from '@vj/signaling';
import { loadRooms, seedDemoUsers, syncRooms } from '../../signaling/src/db/seed.js';
import { PetitionService } from '../../signaling/src/petitions/petition-service.js';
import { MasterKeys } from '../../signaling/src/security/crypto.js';
import type { Claims } from '../../signaling/src/security/jwt.js';
import { adminDatabaseUrl, createTestDatabase } from './services.js';

export const quietLog = createLogger('test', 'error', () => {});

export interface Backend {
  name: string;
  open(): Promise<{ db: Db; cleanup(): Promise<void> }>;
}

/** Both databases the same SQL must run on: embedded PGlite always, PostgreSQL whenever DATABASE_URL is set. */
export const backends: Backend[] = [
  {
    name: 'PGlite (embedded)',
    open: async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vj-pglite-'));
      const db = await openEmbedded(dir, quietLog);
      return { db, cleanup: async () => (await db.close(), fs.rmSync(dir, { recursive: true, force: true })) };
    },
  },
  ...(adminDatabaseUrl
    ? [
        {
          name: 'PostgreSQL server',
          open: async () => {
            const t = await createTestDatabase();
            const db = await openPostgres(t.url, quietLog);
            return { db, cleanup: async () => (await db.close(), await t.drop()) };
          },
        },
      ]
    : []),
];

/** Migrated, with throwaway integrity keys loaded (as the server does at start-up), so audited writes work. */
export async function migrated(b: Backend) {
  const h = await b.open();
  await migrate(h.db, quietLog);
  h.db.integrity = IntegrityKeys.ephemeral();
  return h;
}

/** Migrated with rooms and demo users, and officer1's claims as a county officer. */
async function withOfficer(b: Backend) {
  const h = await migrated(b);
  await syncRooms(h.db, loadRooms().rooms);
  await seedDemoUsers(h.db);
  const u = await h.db.query<{ id: string }>(`SELECT id FROM users WHERE username = 'officer1'`);
  const officer: Claims = { sub: u.rows[0]!.id, role: 'county_officer', name: 'x', sid: randomUUID(), exp: 0, iat: 0, aud: 'vj:console', iss: 'vj-signaling' };
  return { ...h, officer };
}

/** For tests of petition intake: withOfficer, and a PetitionService under master keys `spec` (one fresh version by default). */
export async function withIntake(b: Backend, spec = MasterKeys.generateSpec(1)) {
  const h = await withOfficer(b);
  return { ...h, svc: new PetitionService(h.db, MasterKeys.parse(spec)) };
}
