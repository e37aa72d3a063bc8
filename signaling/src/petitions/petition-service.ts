import type { z } from 'zod';
import { AppError, type PetitionListQuery, type PetitionSubmitBody, type Receipt, type RevealResult, ERROR_MESSAGES } from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import { auditedStatement, type ChangeBuilder } from '../audit/audited-statement.js';
import type { Db } from '../db/db.js';
import { MasterKeys, SUITES, hmacDigits, mac, pinVerifier, randomDigits, type SuiteId } from '../security/crypto.js';
import type { IntegrityAlarm } from '../security/integrity-alarm.js';
import { IntegrityError, type IntegrityKeyring } from '../security/system-keys.js';
import type { Claims } from '../security/jwt.js';
import { POLICY_VERSION_SQL, PolicyCopy, policyStillSql } from '../cases/case-policy.js';
import { CLOCK_RULES } from '../cases/clock-recompute.js';
import { namedAsAccused, Recused } from '../cases/conflicts.js';
import { namesLeadership, registryEntrySql } from '../cases/leader-named.js';
import { acceptDueAt, noticeAcceptDueAt } from '../cases/matter-clocks.js';
import { nameKeys } from '../discipline/name-keys.js';
import { resolvedOfficialSql } from '../registry/cross-reference.js';
import { IdentityVault, identitySeal } from './identity-vault.js';
import { countyView, type PetitionRow } from './presenters.js';

const UNIQUE_VIOLATION = '23505';

/**
 * The validated form. Class and other body may be left out by in-process callers that predate classes (the benchmarks,
 * older tests): the route always passes them, and the schema's default (检举控告) applies to the rest.
 */
type SubmitOutput = z.output<typeof PetitionSubmitBody>;
type AccusedOutput = SubmitOutput['accused'][number];
/** Writers that predate classes, levels or sealing (the benchmarks, the demo seed) may leave them out. */
type SubmitInput = Omit<SubmitOutput, 'matterClass' | 'otherBody' | 'sealed' | 'accused'> &
  Partial<Pick<SubmitOutput, 'matterClass' | 'otherBody' | 'sealed'>> & {
    accused: (Omit<AccusedOutput, 'managementLevel' | 'standing'> & Partial<Pick<AccusedOutput, 'managementLevel' | 'standing'>>)[];
  };
type ListInput = z.output<typeof PetitionListQuery>;

/** yymm + 6 random digits: short enough to type on a number pad, and sorted by month when read aloud. */
function newCaseCode(now = new Date()): string {
  const yymm = `${String(now.getFullYear() % 100).padStart(2, '0')}${String(now.getMonth() + 1).padStart(2, '0')}`;
  return `${yymm}${randomDigits(6)}`;
}

/** A petition's receipt PIN, derived from the receipt-PIN system key (the same PIN on every retry and after rotation). */
export const receiptPin = (keys: IntegrityKeyring, petitionId: string): string => hmacDigits(keys.pinDigits, petitionId, 6);

const actor = (c: Claims) => ({ actorId: c.sub, actorRole: c.role });

/** Petition intake and the county's confidential view of it. */
export class PetitionService {
  readonly vault: IdentityVault;
  private readonly now: () => Date;
  private readonly alarm: IntegrityAlarm | undefined;
  private readonly policy: PolicyCopy;

  constructor(
    private readonly db: Db,
    master: MasterKeys,
    opts: { now?: () => Date; alarm?: IntegrityAlarm } = {},
  ) {
    this.vault = new IdentityVault(master);
    this.now = opts.now ?? (() => new Date());
    this.alarm = opts.alarm;
    this.policy = new PolicyCopy(db);
  }

  private get keys(): IntegrityKeyring {
    const k = this.db.integrity;
    if (!k) throw new Error('integrity keys not loaded');
    return k;
  }

  /**
   * The PIN is derived, not stored: a retried submission gets the same PIN back. The key is a system key kept
   * wrapped by the master key, so it survives master key rotation; the table keeps only a keyed verifier.
   */
  pinFor(petitionId: string): string {
    return receiptPin(this.keys, petitionId);
  }

  private receiptOf(petitionId: string, caseCode: string): Receipt {
    return { petitionId, caseCode, pin: this.pinFor(petitionId) };
  }

  /**
   * Idempotent by the client's id: a retry with the same content returns the same receipt; the same id with
   * different content is a conflict. The petition, its key, identity, accused and the audit row commit together.
   */
  async submit(principal: Claims, body: SubmitInput): Promise<Receipt & { created: boolean; sealed: boolean }> {
    const digest = requestDigest(this.keys, this.keys.suite, body);
    // No look-up first: a retry is rare, and the insert's ON CONFLICT finds it (then it is re-read below).

    const identity = body.identity && Object.values(body.identity).some((v) => v !== '') ? body.identity : null;
    const matterClass = body.matterClass ?? 'accusation';
    // Sealed by the officer's choice, or because it names the commission's leadership (自动密封).
    const check = () => (body.sealed === true ? undefined : namesLeadership(this.db, body.accused));
    let leadership = await check();
    const { sealed } = this.vault.seal(body.id, identity);
    const keys = this.keys;
    const seal = identitySeal(keys, body.id, identity === null, sealed.identity);
    // Set while the last attempt went again because the registry changed under it: the answer says so, not "no code".
    let registryMoved = false;
    for (let attempt = 0; attempt < 5; attempt++) {
      registryMoved = false;
      const isSealed = body.sealed === true || leadership?.named === true;
      const officials = leadership?.officials;
      // The kept copy of the clock's rules; the insert below writes only while it is still the current one.
      const policy = await this.policy.get();
      const caseCode = newCaseCode();
      const pinHash = pinVerifier(keys.suite, keys.key('receipt-pin-verifier'), body.id, caseCode, this.pinFor(body.id));
      const now = this.now();
      // The petition, its key, identity and accused, and the audit row: one statement, one round trip, one
      // implicit transaction (perhaps beside other petitions sent together). The rest is written only if the
      // petition's own insert made its row (a concurrent retry with the same id makes none, and is re-read below).
      const change: ChangeBuilder = ({ $, name }) => {
        const petition = name('petition');
        // Every person named, with their registry entry resolved, in the same statement.
        const accused = body.accused.map((a, i) => {
          const who = $(a.name);
          const unit = $(a.unit);
          return {
            ord: $(i),
            who,
            unit,
            position: $(a.position),
            township: $(a.townshipCode),
            official: resolvedOfficialSql($(a.officialCode ?? null), who, unit),
            level: $(a.managementLevel ?? 'unknown'),
            standing: $(a.standing ?? 'none'),
            // The name's sound, for recognising a staff account named by a homophone (conflicts.ts).
            pinyin: $(nameKeys(a.name).pinyin),
          };
        });
        // The registry entries the leadership check resolved, still the ones this statement resolves, and still as they were.
        const sameRegistry = officials
          ? `(ARRAY[${accused.map((a) => registryEntrySql(a.official)).join(', ')}]::text[] IS NOT DISTINCT FROM ${$(officials)}::text[])`
          : 'true';
        const accusedValues = (cols: (a: (typeof accused)[number]) => string[]) => `VALUES ${accused.map((a) => `(${cols(a).join(', ')})`).join(', ')}`;
        const vault = this.vault.insertCtes($, name, petition, sealed);
        const ctes = [
          `${petition} AS (INSERT INTO petitions (id, case_code, pin_hash, request_digest, session_id, township_code, category, matter_class, other_body, narrative, anonymous, created_by, created_at, updated_at,
                                              accept_due_at, notice_accept_due_at, clock_rules, identity_mac, sealed, sealed_at)
            SELECT ${$(body.id)}::uuid, ${$(caseCode)}::text, ${$(pinHash)}::text, ${$(digest)}::text, ${$(body.sessionId)}::uuid, ${$(body.townshipCode)}::text, ${$(body.category)}::text,
                   ${$(matterClass)}::text, ${$(body.otherBody ?? null)}::text, ${$(body.narrative)}::text,
                   ${$(identity === null)}::boolean, ${$(principal.sub)}::uuid, ${$(now)}::timestamptz, ${$(now)}::timestamptz,
                   ${$(acceptDueAt(policy, matterClass, now))}::timestamptz, ${$(noticeAcceptDueAt(policy, matterClass, identity !== null, now))}::timestamptz, ${CLOCK_RULES}, ${$(seal)}::text,
                   ${$(isSealed)}::boolean, ${$(isSealed ? now : null)}::timestamptz
            WHERE ${policyStillSql($(policy.version))}${officials ? ` AND ${sameRegistry}` : ''}
            ON CONFLICT (id) DO NOTHING RETURNING id)`,
          ...vault.ctes,
        ];
        const before = [...vault.names];
        if (accused.length > 0) {
          before.push(name('accused'));
          // A registry entry's level and standing, where it gives them, are the personnel system's word; else the officer's.
          ctes.push(`${name('accused')} AS (INSERT INTO petition_accused (id, petition_id, ord, name, unit, position, township_code, official_code, management_level, standing, name_pinyin)
            SELECT gen_random_uuid(), ${petition}.id, v.ord, v.name, v.unit, v.position, v.township_code, v.official_code,
                   CASE WHEN coalesce(o.management_level, 'unknown') <> 'unknown' THEN o.management_level ELSE v.management_level END,
                   CASE WHEN coalesce(o.standing, 'none') <> 'none' THEN o.standing ELSE v.standing END, v.name_pinyin
            FROM ${petition}, (${accusedValues((a) => [`${a.ord}::int`, `${a.who}::text`, `${a.unit}::text`, `${a.position}::text`, `${a.township}::text`, a.official, `${a.level}::text`, `${a.standing}::text`, `${a.pinyin}::text`])})
              AS v (ord, name, unit, position, township_code, official_code, management_level, standing, name_pinyin)
              LEFT JOIN officials o ON o.code = v.official_code
            RETURNING 1)`);
        }
        // The rows the foreign keys point at, share-locked before the chain lock (see AuditedChange.before).
        const lockedFor = (table: string, column: string, values: string) =>
          `(SELECT count(*) FROM (SELECT 1 FROM ${table} WHERE ${column} = ANY(${values}) FOR KEY SHARE) AS l)`;
        ctes.push(
          `${name('referenced')} AS (SELECT ${[
            lockedFor('users', 'id', `ARRAY[${$(principal.sub)}::uuid]`),
            lockedFor('reception_sessions', 'id', `ARRAY[${$(body.sessionId)}::uuid]`),
            lockedFor('rooms', 'code', `ARRAY[${[$(body.townshipCode), ...accused.map((a) => a.township)].map((t) => `${t}::text`).join(', ')}]`),
            ...(accused.length > 0 ? [lockedFor('officials', 'code', `ARRAY[${accused.map((a) => a.official).join(', ')}]`)] : []),
          ].join(' + ')} AS n)`,
        );
        return {
          ctes,
          gate: petition,
          before: [name('referenced'), ...before],
          returning: { policy_version: POLICY_VERSION_SQL, ...(officials ? { same_registry: sameRegistry } : {}) },
        };
      };
      try {
        const audited = await auditedStatement(this.db, change, {
          ...actor(principal),
          action: 'petition.create',
          objectType: 'petition',
          objectId: body.id,
          // A sealed matter's row records that it exists, not what it is about or where it came from.
          ...(isSealed
            ? { townshipCode: null, details: { sealed: true } }
            : {
                townshipCode: body.townshipCode,
                details: {
                  category: body.category,
                  matterClass,
                  anonymous: identity === null,
                  accused: body.accused.length,
                  fromSession: body.sessionId !== null,
                },
              }),
        });
        if (audited.seq !== null) return { ...this.receiptOf(body.id, caseCode), created: true, sealed: isSealed };
        if (officials && audited.row['same_registry'] === false) {
          // The registry changed since the leadership check: nothing was written; ask it again.
          registryMoved = true;
          leadership = await check();
          continue;
        }
        if (String(audited.row['policy_version']) !== policy.version) {
          // The rules changed since the copy was read: nothing was written; read them and go again.
          this.policy.forget();
          continue;
        }
        const raced = await this.findExisting(body);
        if (raced) return { ...raced, created: false };
      } catch (err) {
        const e = err as { code?: string; constraint?: string };
        if (e.code === UNIQUE_VIOLATION && e.constraint === 'petitions_case_code_key') continue;
        if (e.code === '23503') throw new AppError('BAD_REQUEST', ERROR_MESSAGES.petitions.unknownReference, ['townshipCode']);
        throw err;
      }
    }
    throw new AppError('UNAVAILABLE', registryMoved ? ERROR_MESSAGES.petitions.registryBusy : ERROR_MESSAGES.petitions.codeBusy);
  }

  private async findExisting(body: SubmitInput): Promise<(Receipt & { sealed: boolean }) | undefined> {
    const r = await this.db.query<{ case_code: string; request_digest: string; sealed: boolean }>(
      'SELECT case_code, request_digest, sealed FROM petitions WHERE id = $1',
      [body.id],
    );
    const row = r.rows[0];
    if (!row) return undefined;
    // Compared in the suite the stored digest was made with; an erased pre-0013 digest matches nothing.
    const suite = SUITES.find((s) => row.request_digest.startsWith(`${s}:`));
    if (!suite || row.request_digest !== requestDigest(this.keys, suite, body)) throw new AppError('CONFLICT', ERROR_MESSAGES.petitions.idReused);
    return { ...this.receiptOf(body.id, row.case_code), sealed: row.sealed };
  }

  /** The petition as `reader` may read it: not sealed (answers as missing), not naming them (回避: refused). */
  async row(id: string, reader: Claims): Promise<PetitionRow> {
    // A sealed matter answers exactly as a missing one (only the leader's page reads it).
    const r = await this.db.query<PetitionRow & { named: boolean }>(
      `SELECT p.*, ${namedAsAccused(2)} AS named FROM petitions p WHERE p.id = $1 AND NOT p.sealed`,
      [id, reader.sub],
    );
    const p = r.rows[0];
    if (!p) throw new AppError('NOT_FOUND', ERROR_MESSAGES.petitions.notFound);
    if (p.named) throw new Recused();
    return p;
  }

  async countyView(id: string, reader: Claims) {
    return countyView(this.db, await this.row(id, reader));
  }

  /** The county's list, leaving out the matters that name the reader (回避: not even that they exist). */
  async list(q: ListInput, reader: Claims) {
    const r = await this.db.query<PetitionRow & { total: string }>(
      `SELECT *, count(*) OVER () AS total FROM petitions p
       WHERE NOT sealed AND ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR township_code = $2) AND NOT ${namedAsAccused(5)}
       ORDER BY created_at DESC, id LIMIT $3 OFFSET $4`,
      [q.status ?? null, q.township ?? null, q.limit, q.offset, reader.sub],
    );
    const items = await Promise.all(r.rows.map((row) => countyView(this.db, row)));
    return { items, total: Number(r.rows[0]?.total ?? 0) };
  }

  /**
   * No audit row, no reveal: both happen in one transaction, so a failed audit write fails the reveal. Identity
   * that fails its seal (erased, swapped, flipped to anonymous) is refused with INTEGRITY and an alarm.
   */
  async reveal(principal: Claims, id: string, reason: string): Promise<RevealResult> {
    let township: string | null = null;
    try {
      return await this.db.tx(async (q) => {
        const p = await q.query<{ township_code: string; anonymous: boolean; identity_mac: string | null; named: boolean }>(
          `SELECT p.township_code, p.anonymous, p.identity_mac, ${namedAsAccused(2)} AS named FROM petitions p WHERE p.id = $1 AND NOT p.sealed`,
          [id, principal.sub],
        );
        const row = p.rows[0];
        if (!row) throw new AppError('NOT_FOUND', ERROR_MESSAGES.petitions.notFound);
        // The accused learns nothing of the accuser, whatever their role.
        if (row.named) throw new Recused();
        township = row.township_code;
        const audit = await appendAudit(q, {
          ...actor(principal),
          action: 'identity.reveal',
          objectType: 'petition',
          objectId: id,
          townshipCode: row.township_code,
          details: { reason },
        });
        const identity = await this.vault.reveal(q, this.keys, id, row);
        return { identity, auditSeq: audit.seq };
      });
    } catch (err) {
      if (err instanceof IntegrityError) await this.alarm?.fromError(err, { townshipCode: township, actorId: principal.sub, actorRole: principal.role });
      throw err;
    }
  }
}

/**
 * What a retry is compared with: a MAC of the submitted form under a key never in the database. An unkeyed hash
 * of a form that holds the identity would let anyone with a dump confirm a guessed name and ID-card number.
 */
function requestDigest(keys: IntegrityKeyring, suite: SuiteId, body: SubmitInput): string {
  return `${suite}:${mac(suite, keys.key('request-digest', suite), JSON.stringify(body)).toString('hex')}`;
}
