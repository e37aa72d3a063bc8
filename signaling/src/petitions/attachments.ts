import { AppError, type AttachmentView } from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/db.js';
import type { Claims } from '../security/jwt.js';
import { MAX_ATTACHMENTS, checkAttachment } from './attachment-types.js';
import type { IdentityVault } from './identity-vault.js';

/** Evidence files, encrypted with their petition's data key; every upload and download is audited. */
export class Attachments {
  constructor(
    private readonly db: Db,
    private readonly vault: IdentityVault,
  ) {}

  /** Idempotent by attachment id: a retried upload of the same file returns the stored one. */
  async put(principal: Claims, petitionId: string, attachmentId: string, mime: string, filename: string, data: Buffer, origin: 'intake' | 'handling' = 'intake'): Promise<AttachmentView> {
    checkAttachment(mime, data);
    return this.db.tx(async (q) => {
      const p = await q.query<{ township_code: string; n: string }>(
        `SELECT township_code, (SELECT count(*) FROM petition_attachments WHERE petition_id = $1) AS n FROM petitions WHERE id = $1 FOR UPDATE`,
        [petitionId],
      );
      if (!p.rows[0]) throw new AppError('NOT_FOUND', 'no such petition');
      const prior = await q.query<{ petition_id: string; size_bytes: number; mime: string; uploaded_at: Date; uploaded_by: string }>(
        'SELECT petition_id, size_bytes, mime, uploaded_at, uploaded_by FROM petition_attachments WHERE id = $1',
        [attachmentId],
      );
      const old = prior.rows[0];
      if (old) {
        if (old.petition_id !== petitionId || old.uploaded_by !== principal.sub || old.size_bytes !== data.length || old.mime !== mime) throw new AppError('CONFLICT', 'this attachment id holds a different file');
        return { id: attachmentId, mime, sizeBytes: old.size_bytes, uploadedAt: old.uploaded_at.toISOString() };
      }
      if (Number(p.rows[0].n) >= MAX_ATTACHMENTS) throw new AppError('BAD_REQUEST', `at most ${MAX_ATTACHMENTS} attachments per petition`);
      const { key, dekVersion } = await this.vault.dataKey(q, petitionId);
      const r = await q.query<{ uploaded_at: Date }>(
        `INSERT INTO petition_attachments (id, petition_id, filename_ct, mime, size_bytes, content_ct, uploaded_by, origin) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING uploaded_at`,
        [
          attachmentId,
          petitionId,
          this.vault.sealAttachment(key, dekVersion, attachmentId, 'filename_ct', Buffer.from(filename, 'utf8')),
          mime,
          data.length,
          this.vault.sealAttachment(key, dekVersion, attachmentId, 'content_ct', data),
          principal.sub,
          origin,
        ],
      );
      await appendAudit(q, {
        actorId: principal.sub,
        actorRole: principal.role,
        action: 'attachment.upload',
        objectType: 'attachment',
        objectId: attachmentId,
        townshipCode: p.rows[0].township_code,
        details: { petitionId, mime, sizeBytes: data.length, origin },
      });
      return { id: attachmentId, mime, sizeBytes: data.length, uploadedAt: r.rows[0]!.uploaded_at.toISOString() };
    });
  }

  /** `handlingOnly`: township roles may fetch the handling evidence of their cases, never the petitioner's files. */
  async get(principal: Claims, petitionId: string, attachmentId: string, handlingOnly = false): Promise<{ data: Buffer; mime: string; filename: string }> {
    return this.db.tx(async (q) => {
      const r = await q.query<{ mime: string; filename_ct: Buffer; content_ct: Buffer; township_code: string }>(
        `SELECT a.mime, a.filename_ct, a.content_ct, p.township_code FROM petition_attachments a JOIN petitions p ON p.id = a.petition_id
         WHERE a.id = $1 AND a.petition_id = $2 AND (NOT $3 OR a.origin = 'handling')`,
        [attachmentId, petitionId, handlingOnly],
      );
      const row = r.rows[0];
      if (!row) throw new AppError('NOT_FOUND', 'no such attachment');
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
}
