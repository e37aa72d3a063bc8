import fs from 'node:fs';
import path from 'node:path';
import { errorFields, type Logger } from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/db.js';
import type { SegmentStore } from './segment-store.js';

/** Arbitrary constant: one retention sweep at a time across nodes. */
const RETENTION_LOCK = 0x76_6a_72_74; // 'vjrt'
const DAY_MS = 86_400_000;

interface Candidate {
  id: string;
  room_code: string;
  stopped_at: Date | null;
  petitions: string;
  open_status: string | null;
  closed_at: Date | null;
  chain_head: Buffer | null;
  segments: number;
  size_bytes: string;
}

/**
 * Deletes recordings whose retention has run out, by the state of their case: a session no petition came from
 * counts from its end, a closed case from its closing, an open case never. The files and the recording's data
 * key go; the rows stay as a tombstone with every segment's hash and the chain head, and the purge is audited.
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly store: SegmentStore,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  start(intervalMs: number): void {
    const tick = () => void this.sweep().catch((err) => this.log.warn('retention sweep failed', errorFields(err)));
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
    tick();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async sweep(at?: Date): Promise<{ purged: string[] }> {
    const now = at ?? this.now();
    const purged: string[] = [];
    const due = await this.db.tx(async (q) => {
      const locked = await q.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [RETENTION_LOCK]);
      if (!locked.rows[0]?.ok) return [];
      const keep = new Map(
        (await q.query<{ case_status: string; keep_days: number | null }>('SELECT case_status, keep_days FROM recording_retention')).rows.map((r) => [
          r.case_status,
          r.keep_days,
        ]),
      );
      const c = await q.query<Candidate>(
        `SELECT r.id, r.room_code, r.stopped_at, r.chain_head, r.segments, r.size_bytes,
           (SELECT count(*) FROM petitions p WHERE p.session_id = r.session_id) AS petitions,
           (SELECT min(p.status) FROM petitions p WHERE p.session_id = r.session_id AND p.status <> 'closed') AS open_status,
           (SELECT max(p.closed_at) FROM petitions p WHERE p.session_id = r.session_id) AS closed_at
         FROM recordings r WHERE r.status IN ('complete', 'interrupted')`,
      );
      return c.rows.filter((r) => {
        const status = Number(r.petitions) === 0 ? 'none' : (r.open_status ?? 'closed');
        const days = keep.get(status);
        const from = status === 'none' ? r.stopped_at : status === 'closed' ? r.closed_at : null;
        return days !== null && days !== undefined && from !== null && from.getTime() + days * DAY_MS < now.getTime();
      });
    });
    for (const r of due) {
      await this.db.tx(async (q) => {
        const still = await q.query(`SELECT 1 FROM recordings WHERE id = $1 AND status IN ('complete', 'interrupted') FOR UPDATE`, [r.id]);
        if (!still.rowCount) return;
        await q.query(`UPDATE recordings SET status = 'purged', purged_at = $2 WHERE id = $1`, [r.id, now]);
        // Crypto-shredding: without its key, any copy of the files that survives elsewhere is noise.
        await q.query('DELETE FROM data_keys WHERE owner_id = $1', [r.id]);
        await appendAudit(q, {
          actorId: null,
          actorRole: null,
          action: 'recording.purge',
          objectType: 'recording',
          objectId: r.id,
          townshipCode: r.room_code,
          details: { segments: r.segments, sizeBytes: Number(r.size_bytes), chainHead: r.chain_head?.toString('hex') ?? null },
        });
      });
      await fs.promises.rm(path.join(this.store.root, r.id), { recursive: true, force: true });
      purged.push(r.id);
    }
    if (purged.length) this.log.info('recordings purged by retention', { count: purged.length });
    return { purged };
  }
}
