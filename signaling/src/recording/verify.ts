import fs from 'node:fs';
import type { Queryable, Tx } from '../db/db.js';
import { appendAudit } from '../audit/audit-log.js';
import { fileDigestMatches } from '../security/crypto.js';
import { chainLink, GENESIS, type SegmentStore } from './segment-store.js';

export type RecordingProblem = 'missing' | 'hash' | 'chain' | 'sealed head' | 'unsealed' | 'purge unrecorded';

export interface RecordingVerdict {
  ok: boolean;
  /** Purged by retention: the files are gone on purpose; the rows are the tombstone, checked against the audit log. */
  purged?: boolean;
  segments: number;
  /** The first segment whose file or chain link does not match, and why. */
  firstBad: { seq: number; trackId: string; trackSeq: number; problem: RecordingProblem } | null;
}

/**
 * Writes the recording's chain head into the audit log (finalisation, in the caller's transaction). The audit
 * chain is keyed, so afterwards nobody can drop segments from the end, or all private ones, and re-point the
 * recording's head without the audit log showing it.
 */
export async function sealRecordingHead(q: Tx, recordingId: string, status: string): Promise<void> {
  const r = await q.query<{ chain_head: Buffer | null; segments: number; room_code: string; chain_suite: string }>(
    'SELECT chain_head, segments, room_code, chain_suite FROM recordings WHERE id = $1',
    [recordingId],
  );
  const rec = r.rows[0];
  if (!rec) return;
  await appendAudit(q, {
    actorId: null,
    actorRole: null,
    action: 'recording.finalize',
    objectType: 'recording',
    objectId: recordingId,
    townshipCode: rec.room_code,
    details: { status, segments: rec.segments, chainHead: rec.chain_head?.toString('hex') ?? null, suite: rec.chain_suite },
  });
}

/** The file's bytes, or null when it is gone; any other read failure is an error, not a verdict. */
async function readIfThere(file: string): Promise<Buffer | null> {
  try {
    return await fs.promises.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Re-hashes every stored segment, walks the keyed chain in order, and holds it against the heads the audit log
 * recorded at finalisation and purge. Names the first segment that does not match. A purged recording has no
 * files: its rows are verified as a tombstone, and the purge itself must be in the audit log.
 */
export async function verifyRecording(q: Queryable, store: SegmentStore, recordingId: string): Promise<RecordingVerdict> {
  const rec = await q.query<{ chain_head: Buffer | null; status: string; segments: number; chain_suite: string }>(
    'SELECT chain_head, status, segments, chain_suite FROM recordings WHERE id = $1',
    [recordingId],
  );
  const row = rec.rows[0];
  const segs = await q.query<{ seq: number; track_id: string; track_seq: number; file: string; sha256: Buffer; chain_hash: Buffer; county_only: boolean }>(
    'SELECT seq, track_id, track_seq, file, sha256, chain_hash, county_only FROM recording_segments WHERE recording_id = $1 ORDER BY seq',
    [recordingId],
  );
  const sealedHeads = await q.query<{ action: string; details: { segments?: number; chainHead?: string | null; suite?: string } }>(
    `SELECT action, details FROM audit_log WHERE object_type = 'recording' AND object_id = $1 AND action IN ('recording.finalize', 'recording.purge', 'recording.reseal') ORDER BY seq`,
    [recordingId],
  );
  const purged = row?.status === 'purged';
  const n = segs.rows.length;
  const verdict = (problem: RecordingProblem | null, at?: (typeof segs.rows)[number]): RecordingVerdict => ({
    ok: problem === null,
    ...(purged ? { purged: true } : {}),
    segments: n,
    firstBad: problem === null ? null : { seq: at?.seq ?? 0, trackId: at?.track_id ?? '', trackSeq: at?.track_seq ?? 0, problem },
  });
  const suite = row?.chain_suite ?? 'legacy';
  const links = new Map<number, Buffer>();
  let prev: Buffer = GENESIS;
  for (const [i, s] of segs.rows.entries()) {
    if (s.seq !== i + 1) return verdict('chain', s);
    if (!purged) {
      // Read without blocking: a long recording is hundreds of MB, and calls on this node go on meanwhile. Only
      // one segment's digest (a few ms) runs at a time on the loop.
      const data = await readIfThere(store.filePath(s.file));
      if (!data) return verdict('missing', s);
      if (!fileDigestMatches(suite, data, s.sha256)) return verdict('hash', s);
    }
    const link = chainLink(suite, store.integrity, prev, {
      sha256: s.sha256,
      seq: s.seq,
      trackId: s.track_id,
      trackSeq: s.track_seq,
      countyOnly: s.county_only,
    });
    if (!link.equals(s.chain_hash)) return verdict('chain', s);
    links.set(s.seq, link);
    prev = link;
  }
  const last = segs.rows.at(-1);
  const head = row?.chain_head ?? null;
  const headOk = n === 0 ? head === null || head.equals(GENESIS) : head?.equals(prev) === true;
  if (!headOk || (row && row.segments !== n)) return verdict('chain', last);
  // A re-seal to another suite (keys:rotate) re-made every link after checking the old chain, and recorded the
  // new head: the heads sealed before it name links of the old chain, so the newest re-seal starts the count.
  const lastReseal = sealedHeads.rows.findLastIndex((h) => h.action === 'recording.reseal');
  const current = lastReseal < 0 ? sealedHeads.rows : sealedHeads.rows.slice(lastReseal);
  // Every head the audit log recorded must still be a link of this chain, at the position it named.
  for (const h of current) {
    const at = h.details.segments ?? 0;
    const want = h.details.chainHead ?? null;
    const have = at === 0 ? null : links.get(at)?.toString('hex');
    if (at > n || (want ?? null) !== (have ?? null)) return verdict('sealed head', segs.rows[Math.min(at, n) - 1] ?? last);
  }
  const finals = current.filter((h) => h.action === 'recording.finalize' || h.action === 'recording.reseal');
  // A recording sealed as keyed cannot be turned back into a legacy one to re-make its links.
  if (finals.some((h) => h.details.suite !== undefined && h.details.suite !== suite)) return verdict('sealed head', last);
  const keyed = suite !== 'legacy';
  if (keyed && (row?.status === 'complete' || row?.status === 'interrupted' || purged)) {
    // A closed recording's newest sealed head must be its whole chain: nothing added or cut after closing.
    const latest = finals.at(-1);
    if (!latest || (latest.details.segments ?? 0) !== n) return verdict('unsealed', last);
  }
  if (purged && !sealedHeads.rows.some((h) => h.action === 'recording.purge')) return verdict('purge unrecorded', last);
  return verdict(null);
}
