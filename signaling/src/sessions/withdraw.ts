import { z } from 'zod';
import { errorFields, Id, ROLES } from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import { sessionNamesUser } from '../cases/conflicts.js';
import type { AppContext } from '../context.js';
import { endsSession, takeOut } from './evict.js';
import type { LiveSession, Peer } from './live.js';

/**
 * Why people are taken out of a live call under the confidentiality and recusal rules (issue 16):
 *  - sealed: a matter taken in it is sealed (密封事项): every participant but the villager's kiosk and the officer who
 *    filed it (who is conducting the intake) leaves, except that the villager is never cut off by a seal: when the
 *    filer is not one the villager is talking to (a watching supervisor filed it, or the filer has left), those
 *    talking stay, and only the others leave;
 *  - recused: an open matter taken in it names a participant as accused (回避): they leave, the officer who filed it
 *    too (they finish the intake form, and from then on are recused: county-recusal.test.ts), except, as for a seal,
 *    that the villager is never cut off: a named participant the villager is talking to stays when nobody else would
 *    carry the call on.
 */
export const WITHDRAW_CAUSES = ['sealed', 'recused'] as const;
export type WithdrawCause = (typeof WITHDRAW_CAUSES)[number];

export const WithdrawRequest = z.object({
  sessionId: Id,
  cause: z.enum(WITHDRAW_CAUSES),
  /** petitions.created_by: the one who files a sealed matter stays (conducting the intake); named, they are recused too. */
  filerId: Id,
  /** Whose action (filing, sealing) took them out: the audit row's actor; null when the server applies the rules again (a restore). */
  by: Id.nullable(),
  byRole: z.enum(ROLES).nullable(),
});
export type WithdrawRequest = z.input<typeof WithdrawRequest>;

/** What taking people out needs: the live sessions, the database and the log. */
export type WithdrawContext = Pick<AppContext, 'calls' | 'db' | 'log'>;

/** Those the session would hear or show it to besides the villager and the filer: decided in memory, no query. */
const others = (peers: Iterable<Peer>, filerId: string) => [...peers].filter((p) => p.role !== 'kiosk' && p.principalId !== filerId);

/** Everyone in the session but the villager's kiosk. */
const staff = (peers: Iterable<Peer>) => [...peers].filter((p) => p.role !== 'kiosk');

/**
 * Of `picked`, those to take out so that the call goes on for the villager: whoever's leaving would end it, by the
 * rules that end a session when people leave (evict.ts), stays. In a county call only a county officer who talks
 * carries it; reception staff who joined do not (they cannot even publish), so they never stay on that account.
 */
function keepingTheCall(live: LiveSession, picked: Peer[]): Peer[] {
  let out = picked;
  for (let carrier = endsSession(live, out); carrier && carrier.role !== 'kiosk'; carrier = endsSession(live, out)) out = out.filter((p) => p !== carrier);
  return out;
}

/**
 * Just after a restore nobody has come back yet and every county participant returns as talking (how each took part
 * is not stored), so who carries the call cannot be read from the peers. In a county call the officer who answered it
 * does; in a township's intake its reception staff do. They stay whatever the rule; with none of them in the call,
 * nobody is taken out here (the next filing or seal decides).
 */
function keepingTheRestoredCall(live: LiveSession, picked: Peer[], answeredBy: string | null): Peer[] {
  const carries = (p: Peer) => (live.kind === 'staff_intake' ? p.role === 'township_staff' : p.principalId === answeredBy);
  if (![...live.peers.values()].some(carries)) return [];
  return picked.filter((p) => !carries(p));
}

/**
 * Takes participants out of one live session, on the node that runs it: their media closes first, their consoles are
 * told (one neutral message, whichever the cause), each one is audited (cause and session only: never the matter),
 * and then they leave, or the session ends when what remains cannot carry it (the access-end rules). Returns how many
 * were taken out; a session that is not live costs no query. `restored`: the call was just restored from the database
 * (keepingTheRestoredCall decides who carries it).
 */
export async function withdrawFromSession(
  app: WithdrawContext,
  input: WithdrawRequest,
  restored?: { answeredBy: string | null },
): Promise<{ withdrawn: number }> {
  const req = WithdrawRequest.parse(input);
  const { calls } = app;
  const live = calls.session(req.sessionId);
  if (!live) return { withdrawn: 0 };
  let candidates: Peer[];
  if (req.cause === 'sealed') {
    // Asked here, on the owner, of the database: a late try (owner-calls.ts retries) of a seal undone since takes nobody out.
    if (!(await calls.store.sealedMatterTaken(live.id))) return { withdrawn: 0 };
    candidates = others(live.peers.values(), req.filerId);
  } else {
    const users = [...new Set(staff(live.peers.values()).map((p) => p.principalId))];
    const named = new Set<string>();
    for (const u of users) if (await sessionNamesUser(app.db, u, live.id)) named.add(u);
    candidates = staff(live.peers.values()).filter((p) => named.has(p.principalId));
  }
  const picked = restored ? keepingTheRestoredCall(live, candidates, restored.answeredBy) : keepingTheCall(live, candidates);
  if (picked.length === 0) return { withdrawn: 0 };
  const gone = await takeOut(calls, live, picked, {
    cause: req.cause,
    leave: () => 'withdrawn',
    // Restored: whoever carries the call (kept above) does so though not back yet.
    absentCarry: Boolean(restored),
    // The call cannot go on without them: it ends as though they had ended it, which is all the kiosk may learn.
    end: (p) => (p.role === 'township_staff' ? 'staff_ended' : 'officer_hangup'),
    afterMedia: async (out) => {
      for (const p of out) if (p.socketId) calls.notify.toSocket(p.socketId, 'session:withdrawn', { sessionId: live.id });
      await app.db
        .tx(async (q) => {
          for (const p of out)
            await appendAudit(q, {
              actorId: req.by,
              actorRole: req.byRole,
              action: 'session.withdraw',
              objectType: 'user',
              objectId: p.principalId,
              townshipCode: live.roomCode,
              details: { cause: req.cause, sessionId: live.id },
            });
        })
        .catch((err) => app.log.error('could not audit taking participants out of a live session', { sessionId: live.id, ...errorFields(err) }));
    },
  });
  return { withdrawn: gone.length };
}

/**
 * A session restored from the database (a restart, or a node taking over the calls of one that died) comes back with
 * every participant the database lists, including one a seal or a recusal was taking out while the old process went
 * away: its try was lost with that node, or left for the next start (owner-calls.ts). So the rules are applied
 * again, on the node that now owns the call, before anyone rejoins it (the router waits for it: reconnect.ts); a call
 * from which no matter was filed costs one query. Audited as the server's own action (no actor).
 */
export async function withdrawAgain(app: WithdrawContext, sessionId: string, answeredBy: string | null): Promise<number> {
  const r = await app.db.query<{ created_by: string; sealed: boolean }>('SELECT created_by, sealed FROM petitions WHERE session_id = $1 ORDER BY created_at', [
    sessionId,
  ]);
  const restored = { answeredBy };
  let n = 0;
  // Sealed first: it takes out more (all but the villager, the filer and whoever carries the call); then recusal.
  for (const cause of WITHDRAW_CAUSES) {
    const m = r.rows.find((p) => p.sealed === (cause === 'sealed'));
    if (m) n += (await withdrawFromSession(app, { sessionId, cause, filerId: m.created_by, by: null, byRole: null }, restored)).withdrawn;
  }
  return n;
}
