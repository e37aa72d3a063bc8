import { AppError, type SealedMatterView } from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Db, Queryable } from '../db/db.js';
import type { Claims } from '../security/jwt.js';
import { namedAsAccused } from './conflicts.js';

/**
 * 密封事项 (issue 16): a matter about the county commission's own leadership. Every other read in the server filters
 * `NOT sealed`; this file is the only place that reads sealed rows, and only for the principal leader
 * (county_leader), who never sees one that names them. Audit rows about a sealed matter carry its id and nothing
 * else: no township, no category, no reason, no note.
 */

interface SealedRow {
  id: string;
  case_code: string;
  township_code: string;
  category: string;
  narrative: string;
  anonymous: boolean;
  matter_class: SealedMatterView['matterClass'];
  status: SealedMatterView['status'];
  created_at: Date;
  sealed_at: Date;
  sealed_by: string | null;
  sealed_reason: string | null;
  sent_up_at: Date | null;
  sent_up_to: string | null;
  sent_up_note: string | null;
  sent_up_by_name: string | null;
  accused: SealedMatterView['accused'];
}

const COLUMNS = `p.id, p.case_code, p.township_code, p.category, p.narrative, p.anonymous, p.matter_class, p.status, p.created_at,
  p.sealed_at, p.sealed_by, p.sealed_reason, p.sent_up_at, p.sent_up_to, p.sent_up_note,
  (SELECT u.display_name FROM users u WHERE u.id = p.sent_up_by) AS sent_up_by_name,
  (SELECT coalesce(json_agg(json_build_object('name', a.name, 'unit', a.unit, 'position', a.position, 'townshipCode', a.township_code, 'officialCode', a.official_code,
                               'managementLevel', a.management_level, 'standing', a.standing) ORDER BY a.ord), '[]')
     FROM petition_accused a WHERE a.petition_id = p.id) AS accused`;

const view = (r: SealedRow, roomName: (code: string) => string): SealedMatterView => ({
  id: r.id,
  caseCode: r.case_code,
  townshipCode: r.township_code,
  townshipName: roomName(r.township_code),
  category: r.category,
  narrative: r.narrative,
  anonymous: r.anonymous,
  matterClass: r.matter_class,
  status: r.status,
  createdAt: r.created_at.toISOString(),
  sealedAt: r.sealed_at.toISOString(),
  sealedAtIntake: r.sealed_by === null,
  sealedReason: r.sealed_reason,
  accused: r.accused,
  sentUp: r.sent_up_at ? { at: r.sent_up_at.toISOString(), to: r.sent_up_to ?? '', note: r.sent_up_note ?? '', byName: r.sent_up_by_name ?? '' } : null,
});

const NOT_FOUND = () => new AppError('NOT_FOUND', '没有这个事项');

export class SealedMatters {
  constructor(
    private readonly db: Db,
    rooms: readonly { code: string; name: string }[] = [],
    private readonly now: () => Date = () => new Date(),
  ) {
    const names = new Map(rooms.map((r) => [r.code, r.name]));
    this.view = (r) => view(r, (c) => names.get(c) ?? c);
  }

  private readonly view: (r: SealedRow) => SealedMatterView;

  /** The leader's list: every sealed matter but those that name the leader, newest first. */
  async list(leader: Claims): Promise<SealedMatterView[]> {
    const r = await this.db.query<SealedRow>(`SELECT ${COLUMNS} FROM petitions p WHERE p.sealed AND NOT ${namedAsAccused(1)} ORDER BY p.created_at DESC, p.id LIMIT 500`, [leader.sub]);
    return r.rows.map(this.view);
  }

  async get(leader: Claims, id: string): Promise<SealedMatterView> {
    return this.view(await this.visible(this.db, leader, id));
  }

  /** A sealed matter the leader may read; any other id (open, missing, naming the leader) is simply not found. */
  private async visible(q: Queryable, leader: Claims, id: string, lock = false): Promise<SealedRow> {
    const r = await q.query<SealedRow>(
      `SELECT ${COLUMNS} FROM petitions p WHERE p.id = $1 AND p.sealed AND NOT ${namedAsAccused(2)} ${lock ? 'FOR UPDATE OF p' : ''}`,
      [id, leader.sub],
    );
    if (!r.rows[0]) throw NOT_FOUND();
    return r.rows[0];
  }

  /** 报送上级纪委监委: once; when, to whom, by whom and the note are kept on the matter, the audit row says only that it went. */
  async sendUp(leader: Claims, id: string, body: { to: string; note: string }): Promise<SealedMatterView> {
    return this.db.tx(async (q) => {
      const p = await this.visible(q, leader, id, true);
      if (p.sent_up_at) throw new AppError('INVALID_STATE', '该事项已报送上级纪委监委，不能重复报送');
      await q.query('UPDATE petitions SET sent_up_at = $2, sent_up_to = $3, sent_up_note = $4, sent_up_by = $5, updated_at = $2, version = version + 1 WHERE id = $1', [
        id,
        this.now(),
        body.to,
        body.note,
        leader.sub,
      ]);
      await appendAudit(q, { actorId: leader.sub, actorRole: leader.role, action: 'petition.send_up', objectType: 'petition', objectId: id, townshipCode: null });
      return this.view(await this.visible(q, leader, id));
    });
  }

  /**
   * An officer seals a matter already on file (one a kiosk call started, or found to concern the leadership later).
   * From the commit on, every list, detail, statistic and township screen leaves it out. Only an open matter the
   * officer can see may be sealed; the reason stays on the row.
   */
  async seal(officer: Claims, id: string, reason: string): Promise<{ id: string; sealed: true }> {
    return this.db.tx(async (q) => {
      const r = await q.query('SELECT 1 FROM petitions WHERE id = $1 AND NOT sealed FOR UPDATE', [id]);
      if (!r.rowCount) throw NOT_FOUND();
      const now = this.now();
      await q.query('UPDATE petitions SET sealed = true, sealed_at = $2, sealed_by = $3, sealed_reason = $4, updated_at = $2, version = version + 1 WHERE id = $1', [id, now, officer.sub, reason]);
      await appendAudit(q, { actorId: officer.sub, actorRole: officer.role, action: 'petition.seal', objectType: 'petition', objectId: id, townshipCode: null });
      return { id, sealed: true as const };
    });
  }
}
