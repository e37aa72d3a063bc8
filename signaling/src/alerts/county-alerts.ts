import { errorFields, type AlertView, type Logger } from '@vj/shared';
import type { Queryable } from '../db/db.js';
import { accusedIsUser } from '../cases/conflicts.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The matter an alert is about, by the key it was raised under: an overdue matter's id, or the call it came from. */
function aboutOf(a: AlertView): { petitionId?: string; sessionId?: string } {
  const [kind, id = ''] = [a.id.slice(0, a.id.indexOf(':')), a.id.slice(a.id.indexOf(':') + 1)];
  if (!UUID.test(id)) return {};
  if (kind === 'case_overdue') return { petitionId: id };
  // A villager's unanswered call or callback request: a matter filed from that call may name the officer.
  if (kind === 'call_unanswered' || kind === 'callback_requested') return { sessionId: id };
  return {};
}

/**
 * 回避 on the alert bar (issue 16): per user in `userIds`, the ids of the alerts in `alerts` about a matter that names
 * them (accusedIsUser, the one rule), sealed or not; an alert about a call counts when a matter filed from it does.
 */
export async function alertsNaming(q: Queryable, userIds: readonly string[], alerts: readonly AlertView[]): Promise<Map<string, Set<string>>> {
  const about = alerts.map((a) => ({ id: a.id, ...aboutOf(a) })).filter((a) => a.petitionId || a.sessionId);
  const hidden = new Map<string, Set<string>>();
  const users = [...new Set(userIds)].filter((u) => UUID.test(u));
  if (!about.length || !users.length) return hidden;
  const r = await q.query<{ userId: string; alertId: string }>(
    `SELECT DISTINCT u.id AS "userId", x.alert_id AS "alertId"
     FROM unnest($2::text[], $3::uuid[], $4::uuid[]) AS x(alert_id, petition_id, session_id)
     JOIN petitions p ON p.id = x.petition_id OR p.session_id = x.session_id
     JOIN petition_accused a ON a.petition_id = p.id
     JOIN users u ON u.id = ANY($1::uuid[])
     WHERE ${accusedIsUser('a', 'u')}`,
    [users, about.map((a) => a.id), about.map((a) => a.petitionId ?? null), about.map((a) => a.sessionId ?? null)],
  );
  for (const row of r.rows) {
    const set = hidden.get(row.userId) ?? new Set<string>();
    set.add(row.alertId);
    hidden.set(row.userId, set);
  }
  return hidden;
}

/** A county console's socket on this node, as the alert bar needs it. */
export interface AlertReader {
  userId: string;
  send(alerts: AlertView[]): void;
}

/**
 * The county consoles' alert bar. It was one list to the county's socket room; a console user named in a matter
 * then saw its case code there. Now each node sends the list to its own consoles only, each without the alerts about
 * a matter that names its user. In a cluster every node holds every alert (AlertService replicates the changes) and
 * sends again when a change reaches it, so a console gets the same bar whichever node it is connected to, and the
 * filtering is done where the reader is known. Sends run one at a time in the order asked, each reading the list when
 * it runs, so an older list never follows a newer one; requests that wait together are sent once.
 */
export class CountyAlerts {
  private chain: Promise<void> = Promise.resolve();
  private queued = false;

  constructor(
    private readonly db: Queryable,
    private readonly list: () => AlertView[],
    /** This node's county consoles. */
    private readonly readers: () => AlertReader[],
    private readonly log: Logger,
  ) {}

  /** Every county console on this node gets the alert bar again. */
  publish(): Promise<void> {
    if (this.queued) return this.chain;
    this.queued = true;
    return this.then(async () => {
      this.queued = false;
      await this.send(this.readers());
    });
  }

  /** One console gets the alert bar (when it connects). */
  sendTo(reader: AlertReader): Promise<void> {
    return this.then(() => this.send([reader]));
  }

  private then(job: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(job).catch((err) => this.log.warn('alert bar not sent', errorFields(err)));
    return this.chain;
  }

  private async send(readers: AlertReader[]): Promise<void> {
    if (!readers.length) return;
    const all = this.list();
    let hidden: Map<string, Set<string>>;
    try {
      hidden = await alertsNaming(
        this.db,
        readers.map((r) => r.userId),
        all,
      );
    } catch (err) {
      // Not knowing whom a matter names, no console gets the alerts about matters: the next change sends them again.
      this.log.warn('alert bar sent without matters: could not check whom they name', errorFields(err));
      const safe = all.filter((a) => !aboutOf(a).petitionId && !aboutOf(a).sessionId);
      for (const r of readers) r.send(safe);
      return;
    }
    for (const r of readers) {
      const mine = hidden.get(r.userId);
      r.send(mine ? all.filter((a) => !mine.has(a.id)) : all);
    }
  }
}
