import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMigrations, migrate, type Db } from '@vj/signaling';
import { loadRooms, registerKioskDevice, seedDemoUsers, syncRooms } from '../../signaling/src/db/seed.js';
import { SessionStore } from '../../signaling/src/sessions/session-store.js';
import { backends, migrated, quietLog } from '../helpers/backends.js';
import { required } from '../helpers/services.js';

it('runs on the real PostgreSQL whenever CI requires services', () => {
  expect(backends.map((b) => b.name)).toEqual(required ? ['PGlite (embedded)', 'PostgreSQL server'] : expect.arrayContaining(['PGlite (embedded)']));
});

describe.each(backends)('storage on $name', (backend) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let store: SessionStore;
  let officers: string[];
  const device = `${randomUUID()}.${'s'.repeat(43)}`;
  const deviceId = device.split('.')[0]!;

  beforeAll(async () => {
    ({ db, cleanup } = await migrated(backend));
    await syncRooms(db, loadRooms().rooms);
    await seedDemoUsers(db);
    await registerKioskDevice(db, 'xingsha', device);
    officers = (await db.query<{ id: string }>(`SELECT id FROM users WHERE role = 'county_officer' ORDER BY username`)).rows.map((r) => r.id);
    store = new SessionStore(db);
  });
  afterAll(async () => cleanup?.());

  it('applies every migration once; a second run changes nothing', async () => {
    const versions = (await db.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => r.version);
    expect(versions).toEqual(listMigrations().map((m) => m.version));
    expect(await migrate(db, quietLog)).toEqual([]);
  });

  it('seeds the 19 configured rooms, idempotently', async () => {
    await syncRooms(db, loadRooms().rooms);
    const r = await db.query<{ n: string }>('SELECT count(*) AS n FROM rooms WHERE active');
    expect(Number(r.rows[0]!.n)).toBe(19);
  });

  it('opens a session idempotently per request id, and at most one open session per room', async () => {
    const req = randomUUID();
    const a = await store.openForKiosk('xingsha', deviceId, req);
    const b = await store.openForKiosk('xingsha', deviceId, req);
    expect(a.created).toBe(true);
    expect(b).toMatchObject({ created: false, kioskPeerId: a.kioskPeerId });
    expect(b.session.id).toBe(a.session.id);
    await expect(store.openForKiosk('xingsha', deviceId, randomUUID())).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await store.end(a.session.id, 'caller_cancelled', a.kioskPeerId);
    await expect(store.openForKiosk('xingsha', deviceId, req)).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });

  it('lets exactly one of many concurrent answers win', async () => {
    const { session } = await store.openForKiosk('xingsha', deviceId, randomUUID());
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.answer(session.id, officers[i % 2]!, 'county_officer')));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((r) => (r.reason as { code: string }).code)).toEqual(Array(7).fill('CALL_ALREADY_TAKEN'));
    const p = await db.query('SELECT 1 FROM session_participants WHERE session_id = $1', [session.id]);
    expect(p.rowCount).toBe(2);
    expect(await store.end(session.id, 'officer_hangup')).toBe(true);
    expect(await store.end(session.id, 'kiosk_hangup')).toBe(false);
    const after = await store.get(session.id);
    expect(after?.session.end_reason).toBe('officer_hangup');
  });

  it('records every leave with a reason, the causing participant getting the end reason', async () => {
    const { session, kioskPeerId } = await store.openForKiosk('xingsha', deviceId, randomUUID());
    const { peerId } = await store.answer(session.id, officers[0]!, 'county_officer');
    await store.end(session.id, 'kiosk_hangup', kioskPeerId);
    const got = await store.get(session.id);
    const byId = new Map(got!.participants.map((p) => [p.id, p]));
    expect(byId.get(kioskPeerId)).toMatchObject({ role: 'kiosk', leave_reason: 'kiosk_hangup' });
    expect(byId.get(peerId)).toMatchObject({ role: 'county_officer', leave_reason: 'session_ended' });
    expect(got!.participants.every((p) => p.left_at instanceof Date)).toBe(true);
  });

  it('closes sessions a crash left open, with participants, on start-up', async () => {
    const { session } = await store.openForKiosk('xingsha', deviceId, randomUUID());
    expect(await store.endAllOpen('server_restart')).toBe(1);
    const got = await store.get(session.id);
    expect(got!.session).toMatchObject({ state: 'ended', end_reason: 'server_restart' });
    expect(got!.participants[0]!.leave_reason).toBe('server_restart');
  });

  it('enforces the record rules in the database itself', async () => {
    await expect(
      db.query(`INSERT INTO reception_sessions (id, room_code, request_id, state) VALUES ($1, 'xingsha', $2, 'ended')`, [randomUUID(), randomUUID()]),
    ).rejects.toThrow();
    await expect(
      db.query(`INSERT INTO reception_sessions (id, room_code, request_id, state) VALUES ($1, 'nowhere', $2, 'calling')`, [randomUUID(), randomUUID()]),
    ).rejects.toThrow();
  });
});
