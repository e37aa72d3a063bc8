import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '@vj/shared';
import type { Db } from '../db/db.js';
import type { SegmentStore } from './segment-store.js';
import { sealRecordingHead } from './verify.js';

export interface ReconcileReport {
  interrupted: number;
  rescued: number;
  orphanFilesRemoved: number;
  missingFiles: number;
  staleRecordersKilled: number;
  /** Plaintext files left in the work folder (segments, SDP, lists) that were not rescued: removed. */
  plaintextRemoved: number;
}

/**
 * After a crash: recordings left open are closed as interrupted, plaintext segments ffmpeg finished but nobody
 * stored are sealed and chained (county-only, since whether they were private is unknown), and stored files
 * without a row (written just before a crash) are removed. Rows are never written before their file, so a row
 * without a file means tampering or disk loss; it is counted and left for verification to name.
 */
/**
 * ffmpeg outlives a killed server (nothing tells a child its parent died). Before reconciling, any recorder
 * still writing into this work directory is stopped, so no file changes under the reconciler.
 */
export function killStaleRecorders(workRoot: string): number {
  return killStaleFfmpeg(`${workRoot}/`);
}

/** Stops every ffmpeg whose command line names `marker` (a folder of this server): one a killed server left. */
export function killStaleFfmpeg(marker: string): number {
  let killed = 0;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmd: string;
    try {
      cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (!cmd.startsWith('ffmpeg\0') || !cmd.includes(marker)) continue;
    try {
      process.kill(Number(pid), 'SIGKILL');
      killed++;
    } catch {
      /* already gone */
    }
  }
  return killed;
}

/**
 * Empties a work folder: what ffmpeg wrote there is plaintext, and after a crash nobody will store it any more.
 * Only at start-up, before this process starts a recorder: while the server runs, live recorders write here.
 * Returns how many files were removed.
 */
export function sweepWorkFolder(workRoot: string): number {
  let files = 0;
  const count = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) count(path.join(dir, e.name));
      else files++;
    }
  };
  if (!fs.existsSync(workRoot)) return 0;
  count(workRoot);
  for (const name of fs.readdirSync(workRoot)) fs.rmSync(path.join(workRoot, name), { recursive: true, force: true });
  return files;
}

/** A cluster node's start-up: it does not reconcile the shared store, but its own work folder is its alone. */
export function sweepOwnWorkFolder(workRoot: string, log: Logger): void {
  const killed = killStaleRecorders(workRoot);
  const removed = sweepWorkFolder(workRoot);
  if (killed || removed) log.warn('plaintext left in the work folder removed at start-up', { staleRecordersKilled: killed, plaintextRemoved: removed });
}

export async function reconcileRecordings(db: Db, store: SegmentStore, workRoot: string, log: Logger): Promise<ReconcileReport> {
  const report: ReconcileReport = {
    interrupted: 0,
    rescued: 0,
    orphanFilesRemoved: 0,
    missingFiles: 0,
    staleRecordersKilled: killStaleRecorders(workRoot),
    plaintextRemoved: 0,
  };
  const open = await db.query<{ id: string }>(`SELECT id FROM recordings WHERE status IN ('recording', 'paused', 'finalizing')`);
  for (const { id } of open.rows) {
    const dir = path.join(workRoot, id);
    for (const trackId of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
      const tdir = path.join(dir, trackId);
      const known = await db.query<{ track_seq: number }>('SELECT track_seq FROM recording_segments WHERE track_id = $1', [trackId]);
      const have = new Set(known.rows.map((r) => r.track_seq));
      const track = await db.query('SELECT 1 FROM recording_tracks WHERE id = $1 AND recording_id = $2', [trackId, id]);
      for (const f of fs
        .readdirSync(tdir)
        .filter((n) => /^seg-\d+\.mkv$/.test(n))
        .sort()) {
        const index = Number(/seg-(\d+)/.exec(f)![1]);
        const full = path.join(tdir, f);
        if (!track.rowCount || have.has(index) || fs.statSync(full).size === 0) continue;
        await store.add(id, trackId, index, full, 0, true);
        report.rescued++;
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
    await db.tx(async (q) => {
      await q.query(`UPDATE recordings SET status = 'interrupted', stopped_at = coalesce(stopped_at, now()) WHERE id = $1`, [id]);
      await q.query(`INSERT INTO recording_events (recording_id, kind, reason) VALUES ($1, 'interrupted', 'server stopped while recording')`, [id]);
      await sealRecordingHead(q, id, 'interrupted');
    });
    report.interrupted++;
  }
  // Everything still in the work folder belongs to no open recording (a crash after a recording closed but before
  // its folder went, or an older version's playback folder): plaintext that will never be stored.
  report.plaintextRemoved = sweepWorkFolder(workRoot);
  const rows = await db.query<{ file: string; purged: boolean }>(
    `SELECT s.file, r.status = 'purged' AS purged FROM recording_segments s JOIN recordings r ON r.id = s.recording_id`,
  );
  const files = new Set(rows.rows.map((r) => r.file));
  for (const rec of fs.existsSync(store.root) ? fs.readdirSync(store.root) : []) {
    const rdir = path.join(store.root, rec);
    if (!fs.statSync(rdir).isDirectory()) continue;
    for (const f of fs.readdirSync(rdir)) {
      if (files.has(path.join(rec, f))) continue;
      fs.rmSync(path.join(rdir, f), { force: true });
      report.orphanFilesRemoved++;
    }
  }
  for (const r of rows.rows) if (!r.purged && !fs.existsSync(store.filePath(r.file))) report.missingFiles++;
  if (report.interrupted || report.rescued || report.orphanFilesRemoved || report.missingFiles || report.staleRecordersKilled || report.plaintextRemoved)
    log.warn('recordings reconciled after an unclean stop', { ...report });
  return report;
}
