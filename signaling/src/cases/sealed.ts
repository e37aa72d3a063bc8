import { AppError, type SealedListAnswer, type SealedMatterView, type SealedReader, ERROR_MESSAGES } from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Db, Queryable } from '../db/db.js';
import type { Claims } from '../security/jwt.js';
import { accusedIsUser, namedAsAccused, Recused } from './conflicts.js';

/**
 * 密封事项 (issue 16): a matter about the county commission's own leadership. Every other read in the server filters
 * `NOT sealed`; this file is the only place that reads sealed rows. Audit rows about a sealed matter carry its id
 * and nothing else: no township, no category, no reason, no note.
 *
 * Who reads one, failing closed:
 *  - a principal leader (county_leader) whose account is linked to their entry in the officials registry, and whom
 *    the matter does not name. An unlinked leader reads none: the rule that hides a matter from the person it
 *    accuses cannot recognise them.
 *  - when the matter names every leader account (e.g. the only 书记), the county office's supervisor, linked likewise
 *    and not named in it, reads it to send it up to the next level (the rules send a matter about the commission's
 *    principal leader straight to the commission above), and does nothing else with it.
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

/**
 * Whether a sealed matter was taken in reception session `sessionId`; nothing else of it is read. A session picked
 * up again (after a restart, or from a node that died) stays off the video wall by it.
 */
export async function sealedMatterTakenIn(q: Queryable, sessionId: string): Promise<boolean> {
  const r = await q.query('SELECT 1 FROM petitions p WHERE p.session_id = $1 AND p.sealed LIMIT 1', [sessionId]);
  return (r.rowCount ?? 0) > 0;
}

/** SQL: user `$n` is in reception session `sessionId` now: joined and not gone (one dropped, within its grace, still is). */
const IN_CALL_NOW = (sessionId: string, n: number) =>
  `EXISTS (SELECT 1 FROM session_participants sp WHERE sp.session_id = ${sessionId} AND sp.user_id = $${n} AND sp.left_at IS NULL)`;

/**
 * Of reception sessions `sessionIds`, those user `userId` may not see while they live: a sealed matter was taken in
 * them, and the user is not in the call now. Those in it (the officer talking with the villager, whoever stayed when
 * the rest were taken out) go on seeing their own call; nobody else learns which call it is, who answered or since when.
 */
export async function sealedCallsHiddenFrom(q: Queryable, userId: string, sessionIds: readonly string[]): Promise<Set<string>> {
  if (sessionIds.length === 0) return new Set();
  const r = await q.query<{ session_id: string }>(
    `SELECT DISTINCT p.session_id FROM petitions p WHERE p.session_id = ANY($1::uuid[]) AND p.sealed AND NOT ${IN_CALL_NOW('p.session_id', 2)}`,
    [sessionIds, userId],
  );
  return new Set(r.rows.map((x) => x.session_id));
}

/** Whether user `userId` may not see live call `sessionId` (see sealedCallsHiddenFrom): the caller answers as for a missing one. */
export async function sealedCallHiddenFrom(q: Queryable, userId: string, sessionId: string): Promise<boolean> {
  return (await sealedCallsHiddenFrom(q, userId, [sessionId])).has(sessionId);
}

const NOT_FOUND = () => new AppError('NOT_FOUND', ERROR_MESSAGES.sealed.notFound);

/**
 * Nobody watches or joins a live call a sealed matter was taken in: the villager there tells about the commission's
 * leadership. It answers as a call that is gone, so the refusal does not tell that a sealed matter exists.
 */
export async function assertCallNotSealed(q: Queryable, sessionId: string): Promise<void> {
  if (await sealedMatterTakenIn(q, sessionId)) throw new AppError('NOT_FOUND', ERROR_MESSAGES.sessions.notFound);
}

/**
 * An account linked to its entry in the officials registry. A name typed in alone (person_name) does not count: it is
 * free text, and the rule that hides a matter from the person it names needs the registry's entry to be sure.
 */
const LINKED = (u: string) => `${u}.official_code IS NOT NULL`;

/**
 * SQL: every principal-leader account is named in sealed matter `p`, so no leader may read it and the office sends it
 * up. Every leader account counts, whatever its state: disabling or unlinking a leader must not open the sealed
 * matters to the office (an unlinked leader is still recognised by the people it was linked to, user_former_links, and
 * one never linked is never recognised as named, so nothing goes to the office then).
 */
const NO_LEADER_READS = `NOT EXISTS (
  SELECT 1 FROM users l WHERE l.role = 'county_leader'
    AND NOT EXISTS (SELECT 1 FROM petition_accused a WHERE a.petition_id = p.id AND ${accusedIsUser('a', 'l')}))`;

/** SQL: the sealed matters user `$n` reads, as `reader`. */
const readable = (reader: SealedReader, n: number) => `p.sealed AND NOT ${namedAsAccused(n)}${reader === 'office' ? ` AND ${NO_LEADER_READS}` : ''}`;

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

  /** The reader's list, newest first: the leader's, or the office's list of matters no leader may read. */
  async list(principal: Claims): Promise<SealedListAnswer> {
    const reader = await this.readerOf(this.db, principal);
    const r = await this.db.query<SealedRow>(`SELECT ${COLUMNS} FROM petitions p WHERE ${readable(reader, 1)} ORDER BY p.created_at DESC, p.id LIMIT 500`, [
      principal.sub,
    ]);
    return { reader, items: r.rows.map(this.view) };
  }

  async get(principal: Claims, id: string): Promise<SealedMatterView> {
    return this.view(await this.visible(this.db, principal, id));
  }

  /**
   * How this account reads sealed matters. Checked on every request against the account as it is now: a leader
   * unlinked a minute ago reads nothing from then on. The route table lets only these two roles in.
   */
  private async readerOf(q: Queryable, principal: Claims): Promise<SealedReader> {
    // Either reader must be recognisable when named: an account not linked to the registry reads nothing.
    const u = await q.query(`SELECT 1 FROM users u WHERE u.id = $1 AND u.role IN ('county_leader', 'county_supervisor') AND ${LINKED('u')}`, [principal.sub]);
    if (!u.rowCount) throw new AppError('FORBIDDEN', ERROR_MESSAGES.sealed.unlinkedReader);
    return principal.role === 'county_supervisor' ? 'office' : 'leader';
  }

  /** A sealed matter this account may read; any other id (open, missing, naming them, another's to read) is simply not found. */
  private async visible(q: Queryable, principal: Claims, id: string, lock = false): Promise<SealedRow> {
    const reader = await this.readerOf(q, principal);
    const r = await q.query<SealedRow>(`SELECT ${COLUMNS} FROM petitions p WHERE p.id = $2 AND ${readable(reader, 1)} ${lock ? 'FOR UPDATE OF p' : ''}`, [
      principal.sub,
      id,
    ]);
    if (!r.rows[0]) throw NOT_FOUND();
    return r.rows[0];
  }

  /** 报送上级纪委监委: once; when, to whom, by whom and the note are kept on the matter, the audit row says only that it went. */
  async sendUp(leader: Claims, id: string, body: { to: string; note: string }): Promise<SealedMatterView> {
    return this.db.tx(async (q) => {
      const p = await this.visible(q, leader, id, true);
      if (p.sent_up_at) throw new AppError('INVALID_STATE', ERROR_MESSAGES.sealed.alreadySentUp);
      await q.query(
        'UPDATE petitions SET sent_up_at = $2, sent_up_to = $3, sent_up_note = $4, sent_up_by = $5, updated_at = $2, version = version + 1 WHERE id = $1',
        [id, this.now(), body.to, body.note, leader.sub],
      );
      await appendAudit(q, {
        actorId: leader.sub,
        actorRole: leader.role,
        action: 'petition.send_up',
        objectType: 'petition',
        objectId: id,
        townshipCode: null,
      });
      return this.view(await this.visible(q, leader, id));
    });
  }

  /**
   * 解除密封: the principal leader returns a matter sealed by mistake to the county office, with the reason (kept on
   * the row; the audit row says only that it happened). Only a leader who reads it, and only before it was sent up.
   * From the commit on it is an ordinary matter again, in every list and statistic (where one sealed after filing
   * was counted all along, stats-scope.ts).
   */
  /** Answers with the session the matter was taken in, if any (its call, if still live, may go back on the wall). */
  async unseal(leader: Claims, id: string, reason: string): Promise<{ id: string; sealed: false; sessionId: string | null }> {
    return this.db.tx(async (q) => {
      if ((await this.readerOf(q, leader)) !== 'leader') throw new AppError('FORBIDDEN', ERROR_MESSAGES.sealed.unsealOnlyLeader);
      const p = await this.visible(q, leader, id, true);
      if (p.sent_up_at) throw new AppError('INVALID_STATE', ERROR_MESSAGES.sealed.sentUpNoUnseal);
      const now = this.now();
      const updated = await q.query<{ session_id: string | null }>(
        'UPDATE petitions SET sealed = false, sealed_at = NULL, unsealed_at = $2, unsealed_by = $3, unseal_reason = $4, updated_at = $2, version = version + 1 WHERE id = $1 RETURNING session_id',
        [id, now, leader.sub, reason],
      );
      await appendAudit(q, {
        actorId: leader.sub,
        actorRole: leader.role,
        action: 'petition.unseal',
        objectType: 'petition',
        objectId: id,
        townshipCode: null,
      });
      return { id, sealed: false as const, sessionId: updated.rows[0]?.session_id ?? null };
    });
  }

  /**
   * The office's supervisor seals a matter already on file (one a kiosk call started, or found to concern the
   * leadership later); an officer who finds one asks the supervisor. From the commit on, every list, detail and
   * township screen leaves it out, whatever stage it had reached; the statistics keep counting it as it stood, so
   * that no published figure moves (stats-scope.ts). Only a matter the supervisor can see may be sealed (not one
   * naming them); the reason stays on the row. Answers with the session the matter was taken in, if any.
   */
  async seal(officer: Claims, id: string, reason: string): Promise<{ id: string; sealed: true; sessionId: string | null; filerId: string }> {
    return this.db.tx(async (q) => {
      const r = await q.query<{ named: boolean; session_id: string | null; created_by: string }>(
        `SELECT ${namedAsAccused(1)} AS named, p.session_id, p.created_by FROM petitions p WHERE p.id = $2 AND NOT p.sealed FOR UPDATE OF p`,
        [officer.sub, id],
      );
      if (!r.rows[0]) throw NOT_FOUND();
      // Sealing takes a matter out of colleagues' sight: not the accused's own decision to make.
      if (r.rows[0].named) throw new Recused();
      const now = this.now();
      await q.query(
        'UPDATE petitions SET sealed = true, sealed_at = $2, sealed_by = $3, sealed_reason = $4, updated_at = $2, version = version + 1 WHERE id = $1',
        [id, now, officer.sub, reason],
      );
      await appendAudit(q, {
        actorId: officer.sub,
        actorRole: officer.role,
        action: 'petition.seal',
        objectType: 'petition',
        objectId: id,
        townshipCode: null,
      });
      // The call it came from, if any: while that call lives it must leave the video wall, and all but the villager
      // and the officer who filed it must leave the call (the route sees to both).
      return { id, sealed: true as const, sessionId: r.rows[0].session_id, filerId: r.rows[0].created_by };
    });
  }
}
