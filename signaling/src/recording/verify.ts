import fs from 'node:fs';
import type { Queryable } from '../db/db.js';
import { sha256 } from '../security/crypto.js';
import { chainLink, GENESIS, type SegmentStore } from './segment-store.js';

export interface RecordingVerdict {
  ok: boolean;
  /** Purged by retention: the files are gone on purpose; the rows are the tombstone. */
  purged?: boolean;
  segments: number;
  /** The first segment whose file or chain link does not match, and why. */
  firstBad: { seq: number; trackId: string; trackSeq: number; problem: 'missing' | 'hash' | 'chain' } | null;
}

/** Re-hashes every stored segment and walks the chain in order; names the first segment that does not match. */
export async function verifyRecording(q: Queryable, store: SegmentStore, recordingId: string): Promise<RecordingVerdict> {
  const rec = await q.query<{ chain_head: Buffer | null; status: string; segments: number }>('SELECT chain_head, status, segments FROM recordings WHERE id = $1', [recordingId]);
  if (rec.rows[0]?.status === 'purged') return { ok: true, purged: true, segments: rec.rows[0].segments, firstBad: null };
  const segs = await q.query<{ seq: number; track_id: string; track_seq: number; file: string; sha256: Buffer; chain_hash: Buffer; county_only: boolean }>(
    'SELECT seq, track_id, track_seq, file, sha256, chain_hash, county_only FROM recording_segments WHERE recording_id = $1 ORDER BY seq',
    [recordingId],
  );
  let prev: Buffer = GENESIS;
  for (const s of segs.rows) {
    const bad = (problem: 'missing' | 'hash' | 'chain') => ({ ok: false, segments: segs.rows.length, firstBad: { seq: s.seq, trackId: s.track_id, trackSeq: s.track_seq, problem } });
    const file = store.filePath(s.file);
    if (!fs.existsSync(file)) return bad('missing');
    if (!sha256(fs.readFileSync(file)).equals(s.sha256)) return bad('hash');
    const link = chainLink(prev, { sha256: s.sha256, seq: s.seq, trackId: s.track_id, trackSeq: s.track_seq, countyOnly: s.county_only });
    if (!link.equals(s.chain_hash)) return bad('chain');
    prev = link;
  }
  const head = rec.rows[0]?.chain_head ?? null;
  const headOk = segs.rows.length === 0 ? head === null || head.equals(GENESIS) : head?.equals(prev) === true;
  if (!headOk) {
    const last = segs.rows.at(-1);
    return { ok: false, segments: segs.rows.length, firstBad: { seq: last?.seq ?? 0, trackId: last?.track_id ?? '', trackSeq: last?.track_seq ?? 0, problem: 'chain' } };
  }
  return { ok: true, segments: segs.rows.length, firstBad: null };
}
