// keys:rotate re-seals closed recordings to the configured suite: every segment re-encrypted under the same data
// key, digests and chain re-made in the new suite, the new head in the audit log. The old chain is checked
// first (a tampered recording is refused and left alone), the plaintext is unchanged, a re-run does nothing, and
// the re-sealed recording verifies; rolling its suite back in the database does not. PGlite and PostgreSQL.
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@vj/signaling';
import { loadRooms, syncRooms } from '../../signaling/src/db/seed.js';
import { resealRecordings } from '../../signaling/src/recording/reseal.js';
import { SegmentStore } from '../../signaling/src/recording/segment-store.js';
import { sealRecordingHead, verifyRecording } from '../../signaling/src/recording/verify.js';
import { MasterKeys, newRootKey } from '../../signaling/src/security/crypto.js';
import { IntegrityKeys } from '../../signaling/src/security/system-keys.js';
import { backends, migrated } from '../helpers/backends.js';

describe.each(backends)('recording re-seal ($name)', (backend) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let dir: string;
  const spec = MasterKeys.generateSpec(1);
  const root = newRootKey();
  const pin = newRootKey();
  const keys = { intl: new IntegrityKeys('intl', root, pin), sm: new IntegrityKeys('sm', root, pin) };
  const master = { intl: MasterKeys.parse(spec, 'intl'), sm: MasterKeys.parse(spec, 'sm') };
  let stores: { intl: SegmentStore; sm: SegmentStore };
  beforeAll(async () => {
    ({ db, cleanup } = await migrated(backend));
    db.integrity = keys.intl;
    await syncRooms(db, loadRooms().rooms);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vj-reseal-'));
    stores = { intl: new SegmentStore(db, master.intl, path.join(dir, 'rec')), sm: new SegmentStore(db, master.sm, path.join(dir, 'rec')) };
  });
  afterAll(async () => {
    await cleanup?.();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const plain: Map<string, Buffer[]> = new Map();
  const makeRecording = async (segments: number) => {
    const sessionId = randomUUID();
    const id = randomUUID();
    const track = randomUUID();
    await db.query(
      `INSERT INTO reception_sessions (id, room_code, request_id, state, ended_at, end_reason) VALUES ($1, 'xingsha', $2, 'ended', now(), 'kiosk_hangup')`,
      [sessionId, randomUUID()],
    );
    await db.query(`INSERT INTO recordings (id, session_id, room_code, status, started_at) VALUES ($1, $2, 'xingsha', 'recording', now())`, [id, sessionId]);
    await db.tx((q) => stores.intl.createKey(q, id));
    await db.query(
      `INSERT INTO recording_tracks (id, recording_id, producer_id, kind, source, participant_role, started_at) VALUES ($1, $2, $3, 'video', 'camera', 'kiosk', now())`,
      [track, id, randomUUID()],
    );
    const bodies: Buffer[] = [];
    for (let i = 1; i <= segments; i++) {
      const body = randomBytes(3000);
      bodies.push(body);
      const f = path.join(dir, `plain-${id}-${i}`);
      fs.writeFileSync(f, body);
      await stores.intl.add(id, track, i, f, 4000, i === 2);
    }
    await db.tx(async (q) => {
      await q.query(`UPDATE recordings SET status = 'complete', stopped_at = now() WHERE id = $1`, [id]);
      await sealRecordingHead(q, id, 'complete');
    });
    plain.set(id, bodies);
    return id;
  };
  const files = async (id: string) =>
    (
      await db.query<{ file: string; track_id: string; track_seq: number }>(
        'SELECT file, track_id, track_seq FROM recording_segments WHERE recording_id = $1 ORDER BY seq',
        [id],
      )
    ).rows;

  it('re-seals a closed intl recording to 国密 and refuses a tampered one', async () => {
    const good = await makeRecording(3);
    const bad = await makeRecording(2);
    expect((await verifyRecording(db, stores.intl, good)).ok).toBe(true);
    const oldFiles = await files(good);
    expect(fs.readFileSync(stores.intl.filePath(oldFiles[0]!.file))[0]).toBe(1);
    // Someone changed a byte of the second recording's file.
    const victim = stores.intl.filePath((await files(bad))[1]!.file);
    const bytes = fs.readFileSync(victim);
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 1;
    fs.writeFileSync(victim, bytes);

    db.integrity = keys.sm;
    const report = await resealRecordings(db, stores.sm, master.sm, keys.sm);
    expect(report).toEqual({ recordings: 1, segments: 3, refused: [bad] });

    expect(await verifyRecording(db, stores.sm, good)).toMatchObject({ ok: true, segments: 3 });
    const now = await files(good);
    for (const [i, f] of now.entries()) {
      expect(fs.readFileSync(stores.sm.filePath(f.file))[0]).toBe(2); // SM4-CTR + HMAC-SM3 envelope
      expect((await stores.sm.read(db, good, { track_id: f.track_id, track_seq: f.track_seq, file: f.file })).equals(plain.get(good)![i]!)).toBe(true);
      expect(fs.existsSync(stores.sm.filePath(oldFiles[i]!.file))).toBe(false);
    }
    const rec = await db.query<{ chain_suite: string }>('SELECT chain_suite FROM recordings WHERE id = $1', [good]);
    expect(rec.rows[0]!.chain_suite).toBe('sm');
    const audit = await db.query<{ details: { suite: string; segments: number; previousSuite: string } }>(
      `SELECT details FROM audit_log WHERE action = 'recording.reseal' AND object_id = $1`,
      [good],
    );
    expect(audit.rows.map((r) => r.details)).toMatchObject([{ suite: 'sm', segments: 3, previousSuite: 'intl' }]);
    // The tampered one is as it was: still intl, still failing.
    expect((await db.query<{ chain_suite: string }>('SELECT chain_suite FROM recordings WHERE id = $1', [bad])).rows[0]!.chain_suite).toBe('intl');
    expect((await verifyRecording(db, stores.sm, bad)).ok).toBe(false);
  });

  it('is safe to re-run, and a suite rolled back in the database does not verify', async () => {
    const again = await resealRecordings(db, stores.sm, master.sm, keys.sm);
    expect(again.recordings).toBe(0);
    const [good] = [...plain.keys()];
    await db.query(`UPDATE recordings SET chain_suite = 'intl' WHERE id = $1`, [good]);
    expect((await verifyRecording(db, stores.sm, good!)).ok).toBe(false);
    await db.query(`UPDATE recordings SET chain_suite = 'sm' WHERE id = $1`, [good]);
    expect((await verifyRecording(db, stores.sm, good!)).ok).toBe(true);
  });
});
