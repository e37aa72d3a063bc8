import { errorFields, type Logger } from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Db } from '../db/db.js';
import type { IntegrityError } from './system-keys.js';

export interface IntegrityIncident {
  /** What failed its check: a table or chain name, never content. */
  what: string;
  objectId: string;
  townshipCode?: string | null;
  actorId?: string | null;
  actorRole?: string | null;
}

/**
 * One place that makes an integrity failure loud: an error log line (ids only), an alert on the county's bar and
 * for the security administrator, and an audit row of its own (the refused action's transaction rolled back).
 */
export class IntegrityAlarm {
  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly raise: (key: string, roomCode: string) => void,
  ) {}

  async report(incident: IntegrityIncident): Promise<void> {
    this.log.error('integrity check failed', { what: incident.what, objectId: incident.objectId });
    this.raise(`integrity_failed:${incident.what}:${incident.objectId}`, incident.townshipCode ?? '');
    await this.db
      .tx((q) =>
        appendAudit(q, {
          actorId: incident.actorId ?? null,
          actorRole: (incident.actorRole ?? null) as never,
          action: 'integrity.failure',
          objectType: incident.what,
          objectId: incident.objectId,
          townshipCode: incident.townshipCode ?? null,
        }),
      )
      .catch((err) => this.log.error('integrity failure not audited', errorFields(err)));
  }

  fromError(err: IntegrityError, extra: Omit<IntegrityIncident, 'what' | 'objectId'> = {}): Promise<void> {
    return this.report({ what: err.what, objectId: err.objectId, ...extra });
  }
}
