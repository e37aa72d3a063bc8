import fs from 'node:fs';
import path from 'node:path';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/db.js';
import { fileDigest, open, type MasterKeys } from '../security/crypto.js';
import type { IntegrityKeyring } from '../security/system-keys.js';
import { GENESIS, chainLink, segmentCtx, type SegmentStore } from './segment-store.js';
import { verifyRecording } from './verify.js';

export interface RecordingResealReport {
  recordings: number;
  segments: number;
  /** Recordings left as they were because their chain does not verify: re-sealing would launder tampering. */
  refused: string[];
}

/**
 * Re-seals closed recordings to the configured suite (part of `npm run keys:rotate`, after the data keys are
 * re-wrapped): each segment re-encrypted under the recording's same data key, its digest and chain link re-made
 * in the new suite, and the new head recorded in the audit log (`recording.reseal`), all in one transaction per
 * recording. The old chain is verified first; a recording that fails is left alone and reported. New files get
 * new names and the rows point to them only when the transaction commits, so a crash leaves either the old
 * recording whole or the new one (the files no row names are removed, here or by the start-up reconciler).
 * Recordings still being written keep their suite until the next run. Safe to re-run.
 */
export async function resealRecordings(
  db: Db,
  store: SegmentStore,
  master: MasterKeys,
  keys: IntegrityKeyring,
  progress: (done: number) => void = () => {},
): Promise<RecordingResealReport> {
  const suite = master.suite;
  const report: RecordingResealReport = { recordings: 0, segments: 0, refused: [] };
  const todo = await db.query<{ id: string }>(
    `SELECT id FROM recordings WHERE chain_suite <> $1 AND status IN ('complete', 'interrupted') ORDER BY started_at`,
    [suite],
  );
  for (const { id } of todo.rows) {
    const written: string[] = [];
    const replaced: string[] = [];
    try {
      const outcome = await db.tx(async (q) => {
        const rec = await q.query<{ chain_head: Buffer | null; chain_suite: string; room_code: string }>(
          'SELECT chain_head, chain_suite, room_code FROM recordings WHERE id = $1 FOR UPDATE',
          [id],
        );
        const row = rec.rows[0];
        if (!row || row.chain_suite === suite) return 'same';
        if (!(await verifyRecording(q, store, id)).ok) return 'refused';
        const { key, dekVersion } = await store.key(q, id);
        const segs = await q.query<{ seq: number; track_id: string; track_seq: number; file: string; county_only: boolean }>(
          'SELECT seq, track_id, track_seq, file, county_only FROM recording_segments WHERE recording_id = $1 ORDER BY seq',
          [id],
        );
        let prev: Buffer = GENESIS;
        let size = 0;
        for (const s of segs.rows) {
          const ctx = segmentCtx(id, s.track_id, s.track_seq, dekVersion);
          const sealed = master.seal(key, open(key, fs.readFileSync(store.filePath(s.file)), ctx), ctx);
          const relative = path.join(id, `${s.track_id}-${String(s.track_seq).padStart(5, '0')}-${suite}-${Date.now().toString(36)}.enc`);
          fs.writeFileSync(store.filePath(relative), sealed, { mode: 0o600 });
          written.push(relative);
          replaced.push(s.file);
          const digest = fileDigest(suite, sealed);
          prev = chainLink(suite, keys, prev, { sha256: digest, seq: s.seq, trackId: s.track_id, trackSeq: s.track_seq, countyOnly: s.county_only });
          size += sealed.length;
          await q.query('UPDATE recording_segments SET file = $3, size_bytes = $4, sha256 = $5, chain_hash = $6 WHERE recording_id = $1 AND seq = $2', [
            id,
            s.seq,
            relative,
            sealed.length,
            digest,
            prev,
          ]);
        }
        const head = segs.rows.length ? prev : null;
        await q.query('UPDATE recordings SET chain_suite = $2, chain_head = $3, size_bytes = $4 WHERE id = $1', [id, suite, head, size]);
        await appendAudit(q, {
          actorId: null,
          actorRole: null,
          action: 'recording.reseal',
          objectType: 'recording',
          objectId: id,
          townshipCode: row.room_code,
          details: {
            segments: segs.rows.length,
            chainHead: head?.toString('hex') ?? null,
            suite,
            previousSuite: row.chain_suite,
            previousHead: row.chain_head?.toString('hex') ?? null,
          },
        });
        report.segments += segs.rows.length;
        return 'changed';
      });
      if (outcome === 'refused') report.refused.push(id);
      if (outcome === 'changed') {
        report.recordings++;
        for (const f of replaced) fs.rmSync(store.filePath(f), { force: true });
      } else for (const f of written) fs.rmSync(store.filePath(f), { force: true });
    } catch (err) {
      // The rows still name the old files: the new ones are nobody's.
      for (const f of written) fs.rmSync(store.filePath(f), { force: true });
      throw err;
    }
    progress(report.recordings);
  }
  return report;
}
