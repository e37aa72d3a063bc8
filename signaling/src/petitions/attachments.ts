import { AppError, errorFields, type AttachmentView, type Logger, ERROR_MESSAGES } from '@vj/shared';
import { appendAudit, type AuditAction } from '../audit/audit-log.js';
import { namedAsAccused, Recused } from '../cases/conflicts.js';
import type { FileNameOpener } from '../cases/workflow-view.js';
import type { Db } from '../db/db.js';
import type { Claims } from '../security/jwt.js';
import { MAX_ATTACHMENTS, checkAttachment } from './attachment-types.js';
import type { IdentityVault } from './identity-vault.js';

/**
 * What an upload is for. 'intake': filed with the petition (county only), part of it for good. 'county_step' and
 * 'handling' (a township handler's): evidence for a case step, which the step then claims; the township may
 * download only 'handling' files.
 */
export type UploadKind = 'intake' | 'county_step' | 'handling';

/** Files one person may hold on a case that no step has claimed yet: one step's worth (a step takes up to 10). */
export const MAX_PENDING_PER_UPLOADER = 10;
/** All of one person's files on one case, claimed or not: a bound on storage, far above any real case. */
export const MAX_FILES_PER_UPLOADER = 100;
/** Step evidence nobody attached within a day was abandoned (a closed form, a refused action): it is swept. */
export const UNLINKED_TTL_MS = 24 * 60 * 60 * 1000;
/** How long after filing a matter sealed at intake the filing officer may still add its intake files (a slow upload on a township line fits). */
export const SEALED_INTAKE_WINDOW_MIN = 30;
const SWEEP_BATCH = 200;

// Not yet in AUDIT_ACTIONS (signaling/src/audit/audit-log.ts belongs to another change; to be listed there).
const DISCARD: AuditAction = 'attachment.discard';

/**
 * Evidence files, encrypted with their petition's data key; every upload, download and discard is audited.
 * Limits count per uploader, so one person's unattached uploads never block anyone else's.
 */
export class Attachments {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;

  constructor(
    private readonly db: Db,
    private readonly vault: IdentityVault,
    private readonly log?: Logger,
  ) {}

  /** The names of a petition's evidence files, for the case record (see workflow-view.ts). */
  readonly fileNames: FileNameOpener = async (q, petitionId) => {
    const { key, dekVersion } = await this.vault.dataKey(q, petitionId);
    return (attachmentId, blob) => this.vault.openAttachment(key, dekVersion, attachmentId, 'filename_ct', blob).toString('utf8');
  };

  /** Idempotent by attachment id: a retried upload of the same file returns the stored one. */
  async put(
    principal: Claims,
    petitionId: string,
    attachmentId: string,
    mime: string,
    filename: string,
    data: Buffer,
    kind: UploadKind = 'intake',
  ): Promise<AttachmentView> {
    checkAttachment(mime, data);
    const forStep = kind !== 'intake';
    const origin = kind === 'handling' ? 'handling' : 'intake';
    return this.db.tx(async (q) => {
      // A sealed matter takes files only from the officer who filed it sealed, with the intake form (the form
      // uploads right after the submit), and only within SEALED_INTAKE_WINDOW_MIN of filing: after that it is the
      // leader's alone. Everyone else, and anyone later, gets "not found", as for any read of it.
      // recused (回避): the accused adds nothing to a matter about them, except the officer who filed it finishing the
      // intake form (its files upload right after the submit) while nobody has acted on it yet.
      const p = await q.query<{ township_code: string; sealed: boolean; intake: string; pending: string; mine: string; recused: boolean }>(
        `SELECT township_code, sealed,
           (SELECT count(*) FROM petition_attachments WHERE petition_id = $1 AND NOT for_step AND step_id IS NULL) AS intake,
           (SELECT count(*) FROM petition_attachments WHERE petition_id = $1 AND for_step AND step_id IS NULL AND uploaded_by = $2) AS pending,
           (SELECT count(*) FROM petition_attachments WHERE petition_id = $1 AND uploaded_by = $2) AS mine,
           (NOT sealed AND ${namedAsAccused(2, 'p')} AND NOT ($3 AND created_by = $2 AND status = 'received')) AS recused
         FROM petitions p WHERE id = $1 AND (NOT sealed OR ($3 AND created_by = $2 AND sealed_by IS NULL AND created_at > now() - make_interval(mins => ${SEALED_INTAKE_WINDOW_MIN}))) FOR UPDATE`,
        [petitionId, principal.sub, kind === 'intake'],
      );
      const counts = p.rows[0];
      if (!counts) throw new AppError('NOT_FOUND', ERROR_MESSAGES.petitions.notFound);
      if (counts.recused) throw new Recused();
      const prior = await q.query<{ petition_id: string; size_bytes: number; mime: string; uploaded_at: Date; uploaded_by: string }>(
        'SELECT petition_id, size_bytes, mime, uploaded_at, uploaded_by FROM petition_attachments WHERE id = $1',
        [attachmentId],
      );
      const old = prior.rows[0];
      if (old) {
        if (old.petition_id !== petitionId || old.uploaded_by !== principal.sub || old.size_bytes !== data.length || old.mime !== mime)
          throw new AppError('CONFLICT', ERROR_MESSAGES.attachments.idReused);
        return { id: attachmentId, mime, sizeBytes: old.size_bytes, uploadedAt: old.uploaded_at.toISOString(), filename: forStep ? filename : null };
      }
      if (!forStep && Number(counts.intake) >= MAX_ATTACHMENTS) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.attachments.tooManyAtIntake(MAX_ATTACHMENTS));
      if (forStep && Number(counts.pending) >= MAX_PENDING_PER_UPLOADER) {
        throw new AppError('BAD_REQUEST', ERROR_MESSAGES.attachments.tooManyPending(MAX_PENDING_PER_UPLOADER));
      }
      if (Number(counts.mine) >= MAX_FILES_PER_UPLOADER) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.attachments.tooManyOwn(MAX_FILES_PER_UPLOADER));
      const { key, dekVersion } = await this.vault.dataKey(q, petitionId);
      const r = await q.query<{ uploaded_at: Date }>(
        `INSERT INTO petition_attachments (id, petition_id, filename_ct, mime, size_bytes, content_ct, uploaded_by, origin, for_step) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING uploaded_at`,
        [
          attachmentId,
          petitionId,
          this.vault.sealAttachment(key, dekVersion, attachmentId, 'filename_ct', Buffer.from(filename, 'utf8')),
          mime,
          data.length,
          this.vault.sealAttachment(key, dekVersion, attachmentId, 'content_ct', data),
          principal.sub,
          origin,
          forStep,
        ],
      );
      await appendAudit(q, {
        actorId: principal.sub,
        actorRole: principal.role,
        action: 'attachment.upload',
        objectType: 'attachment',
        objectId: attachmentId,
        // A sealed matter's row says a file was added to it, nothing about the file or the township.
        ...(counts.sealed
          ? { townshipCode: null, details: { petitionId } }
          : { townshipCode: counts.township_code, details: { petitionId, mime, sizeBytes: data.length, origin, forStep } }),
      });
      return { id: attachmentId, mime, sizeBytes: data.length, uploadedAt: r.rows[0]!.uploaded_at.toISOString(), filename: forStep ? filename : null };
    });
  }

  /** `handlingOnly`: township roles may fetch the handling evidence of their cases, never the petitioner's files. */
  async get(principal: Claims, petitionId: string, attachmentId: string, handlingOnly = false): Promise<{ data: Buffer; mime: string; filename: string }> {
    return this.db.tx(async (q) => {
      const r = await q.query<{ mime: string; filename_ct: Buffer; content_ct: Buffer; township_code: string; named: boolean }>(
        `SELECT a.mime, a.filename_ct, a.content_ct, p.township_code, ${namedAsAccused(4, 'p')} AS named FROM petition_attachments a JOIN petitions p ON p.id = a.petition_id
         WHERE a.id = $1 AND a.petition_id = $2 AND NOT p.sealed AND (NOT $3 OR a.origin = 'handling')`,
        [attachmentId, petitionId, handlingOnly, principal.sub],
      );
      const row = r.rows[0];
      if (!row) throw new AppError('NOT_FOUND', ERROR_MESSAGES.attachments.notFound);
      if (row.named) throw new Recused();
      await appendAudit(q, {
        actorId: principal.sub,
        actorRole: principal.role,
        action: 'attachment.download',
        objectType: 'attachment',
        objectId: attachmentId,
        townshipCode: row.township_code,
        details: { petitionId },
      });
      const { key, dekVersion } = await this.vault.dataKey(q, petitionId);
      return {
        mime: row.mime,
        filename: this.vault.openAttachment(key, dekVersion, attachmentId, 'filename_ct', row.filename_ct).toString('utf8'),
        data: this.vault.openAttachment(key, dekVersion, attachmentId, 'content_ct', row.content_ct),
      };
    });
  }

  /**
   * Deletes step evidence that no step claimed within `ttlMs`, each with its audit row in the same transaction.
   * Intake files are never touched. Safe on several nodes at once: a row is locked by one sweep and skipped by
   * the others, and a step claiming a file at the same moment either wins (the file stays) or finds it gone and
   * is refused, changing nothing.
   */
  async sweepUnlinked(ttlMs = UNLINKED_TTL_MS, now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - ttlMs);
    let total = 0;
    for (;;) {
      const n = await this.db.tx(async (q) => {
        const r = await q.query<{
          id: string;
          petition_id: string;
          uploaded_by: string;
          origin: string;
          uploaded_at: Date;
          township_code: string;
          sealed: boolean;
        }>(
          `DELETE FROM petition_attachments a USING petitions p
           WHERE p.id = a.petition_id AND a.id IN (
             SELECT id FROM petition_attachments WHERE for_step AND step_id IS NULL AND uploaded_at < $1 ORDER BY uploaded_at LIMIT ${SWEEP_BATCH} FOR UPDATE SKIP LOCKED)
           RETURNING a.id, a.petition_id, a.uploaded_by, a.origin, a.uploaded_at, p.township_code, p.sealed`,
          [before],
        );
        for (const a of r.rows) {
          await appendAudit(q, {
            actorId: null,
            actorRole: null,
            action: DISCARD,
            objectType: 'attachment',
            objectId: a.id,
            // 密封事项: only that a file of it went, not from where or whose.
            townshipCode: a.sealed ? null : a.township_code,
            details: a.sealed
              ? { petitionId: a.petition_id }
              : {
                  petitionId: a.petition_id,
                  uploadedBy: a.uploaded_by,
                  origin: a.origin,
                  uploadedAt: a.uploaded_at.toISOString(),
                  reason: 'never_attached_to_a_step',
                },
          });
        }
        return r.rows.length;
      });
      total += n;
      if (n < SWEEP_BATCH) break;
    }
    if (total) this.log?.info('unattached evidence swept', { count: total });
    return total;
  }

  /** Runs the sweep now and every `intervalMs` (the deadline sweep's period). */
  startSweep(intervalMs: number): void {
    const tick = () => {
      this.sweeping ??= this.sweepUnlinked()
        .catch((err) => {
          this.log?.warn('unattached evidence sweep failed', errorFields(err));
          return 0;
        })
        .finally(() => (this.sweeping = undefined));
    };
    tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }
}
