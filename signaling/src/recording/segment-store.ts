import fs from 'node:fs';
import path from 'node:path';
import type { Db, Queryable } from '../db/db.js';
import { MasterKeys, fileDigest, isSuite, mac, newDataKey, open, sha256 } from '../security/crypto.js';
import type { IntegrityKeyring } from '../security/system-keys.js';

export const GENESIS = Buffer.alloc(32);

export interface LinkInput {
  sha256: Buffer;
  seq: number;
  trackId: string;
  trackSeq: number;
  countyOnly: boolean;
}

/** Links of recordings made before the chain was keyed: verifiable, but anyone with the database could re-make them. */
export function legacyChainLink(prev: Buffer, s: LinkInput): Buffer {
  return sha256(Buffer.concat([prev, s.sha256, Buffer.from(`|${s.seq}|${s.trackId}|${s.trackSeq}|${s.countyOnly ? 1 : 0}`)]));
}

/**
 * Binds a segment's hash to its place and its privacy: a segment moved, removed, or with county_only cleared
 * breaks the chain, and without the integrity key nobody can re-make the links after such an edit.
 */
export function chainLink(suite: string, keys: IntegrityKeyring, prev: Buffer, s: LinkInput): Buffer {
  if (suite === 'legacy') return legacyChainLink(prev, s);
  if (!isSuite(suite)) throw new Error(`unknown chain suite ${suite}`);
  return mac(suite, keys.key('recording-chain', suite), 'segment', prev, s.sha256, `${s.seq}|${s.trackId}|${s.trackSeq}|${s.countyOnly ? 1 : 0}`);
}

export const segmentCtx = (recordingId: string, trackId: string, trackSeq: number, keyVersion: number) => ({
  table: 'recording_segments',
  column: 'file',
  rowId: `${recordingId}:${trackId}:${trackSeq}`,
  keyVersion,
});

/**
 * Recording files at rest: each segment sealed with the recording's own data key (wrapped by the county master
 * key, like a petition's), written beside its metadata row, hashed and chained in the same transaction.
 */
export class SegmentStore {
  constructor(
    private readonly db: Db,
    private readonly master: MasterKeys,
    readonly root: string,
  ) {
    fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  }

  get integrity(): IntegrityKeyring {
    const k = this.db.integrity;
    if (!k) throw new Error('integrity keys not loaded');
    return k;
  }

  /** A new recording's data key; its chain is keyed with the current suite from the first segment on. */
  async createKey(q: Queryable, recordingId: string): Promise<void> {
    const { wrapped, kekVersion } = this.master.wrap(newDataKey(), recordingId);
    const inserted = await q.query(
      'INSERT INTO data_keys (owner_id, wrapped, kek_version, dek_version) VALUES ($1, $2, $3, 1) ON CONFLICT (owner_id) DO NOTHING',
      [recordingId, wrapped, kekVersion],
    );
    if (inserted.rowCount) await q.query('UPDATE recordings SET chain_suite = $2 WHERE id = $1 AND segments = 0', [recordingId, this.integrity.suite]);
  }

  async key(q: Queryable, recordingId: string): Promise<{ key: Buffer; dekVersion: number }> {
    const r = await q.query<{ wrapped: Buffer; kek_version: number; dek_version: number }>(
      'SELECT wrapped, kek_version, dek_version FROM data_keys WHERE owner_id = $1',
      [recordingId],
    );
    const row = r.rows[0];
    if (!row) throw new Error('recording key missing');
    return { key: this.master.unwrap(row.wrapped, row.kek_version, recordingId), dekVersion: row.dek_version };
  }

  filePath(relative: string): string {
    return path.join(this.root, relative);
  }

  /**
   * Seals one completed plaintext segment, stores it, and records it at the end of the chain; the plaintext is
   * deleted once the row is committed. The file is written before the row: a crash in between leaves a file the
   * reconciler removes, never a row without its file.
   */
  async add(recordingId: string, trackId: string, trackSeq: number, plaintextFile: string, durationMs: number, countyOnly: boolean): Promise<void> {
    // File work off the loop (a segment is ~0.5 MB, 19 rooms write ~5 a second); sealing itself is a few ms.
    const plain = await fs.promises.readFile(plaintextFile);
    const { key, dekVersion } = await this.key(this.db, recordingId);
    const sealed = this.master.seal(key, plain, segmentCtx(recordingId, trackId, trackSeq, dekVersion));
    const relative = path.join(recordingId, `${trackId}-${String(trackSeq).padStart(5, '0')}.enc`);
    const target = this.filePath(relative);
    await fs.promises.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    await fs.promises.writeFile(`${target}.tmp`, sealed, { mode: 0o600 });
    await fs.promises.rename(`${target}.tmp`, target);
    await this.db.tx(async (q) => {
      const rec = await q.query<{ chain_head: Buffer | null; segments: number; chain_suite: string }>(
        'SELECT chain_head, segments, chain_suite FROM recordings WHERE id = $1 FOR UPDATE',
        [recordingId],
      );
      const head = rec.rows[0]!;
      const digest = fileDigest(head.chain_suite, sealed);
      const seq = head.segments + 1;
      const chain = chainLink(head.chain_suite, this.integrity, head.chain_head ?? GENESIS, { sha256: digest, seq, trackId, trackSeq, countyOnly });
      await q.query(
        `INSERT INTO recording_segments (recording_id, seq, track_id, track_seq, file, size_bytes, duration_ms, sha256, chain_hash, county_only, completed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now()) ON CONFLICT (track_id, track_seq) DO NOTHING`,
        [recordingId, seq, trackId, trackSeq, relative, sealed.length, durationMs, digest, chain, countyOnly],
      );
      await q.query('UPDATE recordings SET chain_head = $2, segments = $3, size_bytes = size_bytes + $4 WHERE id = $1', [
        recordingId,
        chain,
        seq,
        sealed.length,
      ]);
    });
    fs.rmSync(plaintextFile, { force: true });
  }

  /** The plaintext of one stored segment; fails if the file was altered (GCM authentication). */
  async read(q: Queryable, recordingId: string, seg: { track_id: string; track_seq: number; file: string }): Promise<Buffer> {
    const { key, dekVersion } = await this.key(q, recordingId);
    return open(key, await fs.promises.readFile(this.filePath(seg.file)), segmentCtx(recordingId, seg.track_id, seg.track_seq, dekVersion));
  }
}
