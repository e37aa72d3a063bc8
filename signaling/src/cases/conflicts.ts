import { AppError, ERROR_MESSAGES } from '@vj/shared';
import type { Queryable } from '../db/db.js';

/**
 * SQL: the pinyin of accused `a`'s bare name (its title taken off): the first syllables of the pinyin written at
 * intake, one per character, when the bare name is Chinese characters only (else the syllables would not line up,
 * and it is NULL: no match by sound).
 */
const HOMOPHONE = (a: string) =>
  `(CASE WHEN ${a}.name_pinyin <> '' AND vj_bare_name(${a}.name) ~ '^[一-龥]{2,}$'
    THEN array_to_string((string_to_array(${a}.name_pinyin, ' '))[1:length(vj_bare_name(${a}.name))], ' ') END)`;

/** SQL: a name's Chinese characters only (brackets, dots, commas, spaces and question marks gone). */
const HAN = (name: string) => `regexp_replace(vj_name_key(${name}), '[^一-龥]', '', 'g')`;
/**
 * SQL: the accused as written holds the person's whole name among other words: "陈志明（音）", "陈志明等人",
 * "陈志明、王五", "星沙纪工委的陈志明", "陈·志明". Two characters at least, so a surname alone never matches.
 */
const CONTAINS = (written: string, name: string) => `(length(${HAN(name)}) >= 2 AND strpos(${HAN(written)}, ${HAN(name)}) > 0)`;

/**
 * SQL: accused `a` is the person with registry code `code` and name key `personName` (columns, either NULL): an
 * account's link, or one it had before (user_former_links).
 */
const accusedIsPerson = (a: string, code: string, personName: string, loose: boolean) => `(
  (${code} IS NOT NULL AND ${a}.official_code = ${code})
  OR (${personName} IS NOT NULL AND (vj_name_key(${a}.name) = vj_name_key(${personName}) OR vj_bare_name(${a}.name) = vj_name_key(${personName})
    ${loose ? `OR ${CONTAINS(`${a}.name`, personName)}` : ''}))
  OR EXISTS (SELECT 1 FROM officials o, generate_series(1, 2) AS surname(len)
    WHERE o.code = ${code}
      AND (vj_name_key(${a}.name) = vj_name_key(o.name) OR vj_bare_name(${a}.name) = vj_name_key(o.name) ${loose ? `OR ${CONTAINS(`${a}.name`, 'o.name')}` : ''}
        OR (${HOMOPHONE(a)} = o.name_pinyin AND o.name_pinyin <> '')
        OR (length(vj_name_key(${a}.name)) - surname.len >= 2
          AND starts_with(vj_name_key(o.name), left(vj_name_key(${a}.name), surname.len))
          AND right(vj_name_key(o.position), length(vj_name_key(${a}.name)) - surname.len) = substr(vj_name_key(${a}.name), surname.len + 1)))))`;

/**
 * SQL: does the petition_accused row `a` name the user row `u`? A staff account is linked to its person in the
 * officials registry (admin screen, `npm run users:link`, or matched at registry import); it matches
 *  - by the registry code the intake resolved the accused to;
 *  - by name, compared through vj_name_key (NFKC, no whitespace), against the linked name and the registry's, also
 *    with the titles villagers add taken off (vj_bare_name: "郑国栋书记", "李德明同志"), and, where `loose`, found
 *    whole among other words ("陈志明（音）", "陈志明等人", "星沙纪工委的陈志明"; a longer name holding it matches too);
 *  - by the name's sound (toneless pinyin, "郑国东" for 郑国栋), against the registry's name;
 *  - by the way villagers name a cadre: surname and title ("陈干事", "欧阳主任" for a 副主任), when the title is
 *    how the person's registry position ends;
 *  - for a principal-leader account, by an accused the intake did not resolve to a registry entry whose name, unit
 *    or position names the commission's leadership ("县纪委书记", unit "县纪委监委领导班子"): that names every leader;
 *  - by every person the account was linked to before (an unlink or a new link keeps the old one recusing it).
 * It errs towards a match: a false one hides a case from one handler and makes a referral ask for a
 * supervisor's override; a missed one hands the case to the person it accuses.
 * `loose` where a false match costs little and a missed one hands the matter to the person it accuses: hiding a
 * matter from the reader it names, leaving them out of its notices, and the township commission's standing (a
 * handler named makes the matter the commission's own, so it stays with the county, as for a former link). Not for
 * sealing a matter that names a leader: a two-character name inside a longer one would seal other people's matters
 * away from the office.
 */
export const accusedIsUser = (a = 'a', u = 'u', loose = false) => `(
  ${accusedIsPerson(a, `${u}.official_code`, `${u}.person_name`, loose)}
  OR (${u}.role = 'county_leader' AND ${a}.official_code IS NULL AND vj_names_commission_leadership(${a}.name, ${a}.unit, ${a}.position))
  OR EXISTS (SELECT 1 FROM user_former_links f WHERE f.user_id = ${u}.id AND ${accusedIsPerson(a, 'f.official_code', 'f.person_name', loose)}))`;

/**
 * SQL: is the user in parameter `$n` named as accused in petition `p`? Used by every township read, so a handler
 * named in a petition never sees it, whatever the case's township, and by the county's lists and refusals (Recused).
 */
export const namedAsAccused = (n: number, petitionAlias = 'p') => `EXISTS (
  SELECT 1 FROM petition_accused a JOIN users u ON u.id = $${n}
  WHERE a.petition_id = ${petitionAlias}.id AND ${accusedIsUser('a', 'u', true)})`;

/**
 * 回避 on the county's side (officers and supervisors, issue 16 review finding 3): a matter that names the reader is
 * left out of every list they read (as the township's lists and the discipline query do), and any request about it by
 * id (its record, identity, recordings, files, workflow, any action) is refused with this error. The refusal is
 * audited by the route chain (the row names the route, not the matter). Only someone who already held the id gets it,
 * and a stale screen should say why, not that the matter vanished.
 */
export class Recused extends AppError {
  /** `message`: the refusal in the words of where it happened (a case, one's own profile or unit). */
  constructor(message: string = ERROR_MESSAGES.cases.recused) {
    super('CONFLICT_OF_INTEREST', message);
  }
}

/**
 * Refuses (Recused) when open petition `petitionId` names user `userId`. A sealed or missing petition passes here:
 * the caller answers those as not found, so a refusal never tells that a sealed matter exists.
 */
export async function assertNotNamed(q: Queryable, userId: string, petitionId: string): Promise<void> {
  const r = await q.query(`SELECT 1 FROM petitions p WHERE p.id = $2 AND NOT p.sealed AND ${namedAsAccused(1)}`, [userId, petitionId]);
  if (r.rowCount) throw new Recused();
}

/** Refuses (Recused) when an open petition filed from session `sessionId` names user `userId`: its recording tells about them. */
export async function assertSessionNotNamed(q: Queryable, userId: string, sessionId: string): Promise<void> {
  if (await sessionNamesUser(q, userId, sessionId)) throw new Recused();
}

/** Whether an open petition filed from session `sessionId` names user `userId` as accused. */
export async function sessionNamesUser(q: Queryable, userId: string, sessionId: string): Promise<boolean> {
  const r = await q.query(`SELECT 1 FROM petitions p WHERE p.session_id = $2 AND NOT p.sealed AND ${namedAsAccused(1)}`, [userId, sessionId]);
  return (r.rowCount ?? 0) > 0;
}

/** Refuses (Recused) when recording `recordingId` is of a call an open petition naming user `userId` came from. */
export async function assertRecordingNotNamed(q: Queryable, userId: string, recordingId: string): Promise<void> {
  const r = await q.query(
    `SELECT 1 FROM recordings r JOIN petitions p ON p.session_id = r.session_id WHERE r.id = $2 AND NOT p.sealed AND ${namedAsAccused(1)}`,
    [userId, recordingId],
  );
  if (r.rowCount) throw new Recused();
}

/**
 * SQL: does a petition filed from recording `r`'s session name the user in parameter `$n`? The recording shows
 * the villager telling the county about that person: it is theirs to see no more than the petition is.
 */
export const recordingNamesUser = (n: number, recordingAlias = 'r') => `EXISTS (
  SELECT 1 FROM petitions p WHERE p.session_id = ${recordingAlias}.session_id AND ${namedAsAccused(n, 'p')})`;

/**
 * Whether a township user may not see recording `recordingId`: a petition from its session names them, or is sealed
 * (密封事项: the villager is telling about the county commission's leadership; no township sees that).
 */
export async function recordingConflict(q: Queryable, recordingId: string, userId: string): Promise<boolean> {
  const r = await q.query(`SELECT 1 FROM recordings r WHERE r.id = $1 AND (${recordingNamesUser(2, 'r')} OR ${SEALED_SESSION('r')})`, [recordingId, userId]);
  return (r.rowCount ?? 0) > 0;
}

/** SQL: a sealed matter came from recording `r`'s call. */
const SEALED_SESSION = (recordingAlias: string) => `EXISTS (SELECT 1 FROM petitions s WHERE s.session_id = ${recordingAlias}.session_id AND s.sealed)`;

/**
 * Whether a sealed matter came from this recording's call: then no county officer replays it either (the villager is
 * telling about the commission's own leadership; only the principal leader reads that, and the leader plays nothing).
 */
export async function recordingOfSealed(q: Queryable, recordingId: string): Promise<boolean> {
  const r = await q.query(`SELECT 1 FROM recordings r WHERE r.id = $1 AND ${SEALED_SESSION('r')}`, [recordingId]);
  return (r.rowCount ?? 0) > 0;
}

export interface Conflict {
  kind: 'accused_in_township' | 'handler_accused' | 'handler_elsewhere';
  /** The accused person's name as the petition gives it (county-only; never sent to a township role). */
  name?: string;
}

/** Why referring this petition to its township (and handler) would put the case in the hands of the accused. */
export async function referralConflicts(q: Queryable, petitionId: string, township: string, handlerId: string | null): Promise<Conflict[]> {
  // The township the person serves in: the one entered at intake, else the registry's (an accused linked to the
  // registry with no township typed in is still of that township).
  const accused = await q.query<{ name: string }>(
    `SELECT a.name FROM petition_accused a LEFT JOIN officials o ON o.code = a.official_code
     WHERE a.petition_id = $1 AND coalesce(a.township_code, o.township_code) = $2 ORDER BY a.ord`,
    [petitionId, township],
  );
  const conflicts: Conflict[] = accused.rows.map((a) => ({ kind: 'accused_in_township' as const, name: a.name }));
  if (handlerId) {
    const named = await q.query(`SELECT 1 FROM petitions p WHERE p.id = $2 AND ${namedAsAccused(1)}`, [handlerId, petitionId]);
    if (named.rowCount) conflicts.push({ kind: 'handler_accused' });
  }
  return conflicts;
}
