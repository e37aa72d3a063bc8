import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CASE_ACTIONS,
  CaseTransitionBody,
  DISPOSITION_LABELS,
  DISPOSITIONS,
  DISPOSITIONS_WITH_OUTCOME,
  type CaseAction,
  type CaseWorkflowView,
  type Disposition,
  type MatterClass,
  type PetitionStatus,
  type Role,
} from '@vj/shared';
import type { Db } from '@vj/signaling';
import { CaseService } from '../../signaling/src/cases/case-service.js';
import { dayOf, isoDay } from '../../signaling/src/cases/deadline-clock.js';
import { SealedMatters } from '../../signaling/src/cases/sealed.js';
import type { Claims } from '../../signaling/src/security/jwt.js';
import { backends, migrated } from '../helpers/backends.js';
import { seededClaims } from '../helpers/claims.js';

type Side = 'county' | 'township' | null;
const COUNTY: Role[] = ['county_officer', 'county_supervisor'];
const HANDLER: Role[] = ['township_handler'];
const SUPERVISOR: Role[] = ['county_supervisor'];

type Classes = readonly MatterClass[] | 'all';
const IN_REMIT: Classes = ['accusation', 'appeal', 'suggestion'];
const DECIDED: [PetitionStatus, Side][] = [
  ['accepted', 'county'],
  ['referred', 'township'],
  ['transferred', 'township'],
  ['transferred', 'county'],
  ['handling', 'township'],
  ['reported', 'county'],
  ['reported', 'township'],
  ['returned', 'county'],
  ['returned', 'township'],
  ['closed', 'county'],
  ['closed', 'township'],
];

/**
 * The workflow of DESIGN §4 and issue 16 written out by hand, independently of the rule table in shared/: every legal
 * (action, status, side, class, naming) and the roles that may take it. Everything not listed is illegal.
 */
type Legal = [CaseAction, PetitionStatus, Side, Role[], Classes?, 'named'?];
const LEGAL: Legal[] = [
  ['accept', 'received', null, COUNTY, IN_REMIT],
  ['refer', 'received', null, COUNTY, IN_REMIT],
  ['refer', 'accepted', 'county', COUNTY, IN_REMIT],
  // 转办: to a township commission or a named outside body; the outcome, if reported, is recorded by whoever holds
  // the record (the township for its own, the county for an outside body's) and closes the matter.
  ['transfer', 'received', null, COUNTY, IN_REMIT],
  ['transfer', 'accepted', 'county', COUNTY, IN_REMIT],
  ['record_transfer_outcome', 'transferred', 'township', HANDLER],
  ['record_transfer_outcome', 'transferred', 'county', COUNTY],
  ['township_accept', 'referred', 'township', HANDLER],
  // 交办 progress reports: the township handling it, never the county on its own case.
  ['report_progress', 'handling', 'township', HANDLER],
  ['report_progress', 'returned', 'township', HANDLER],
  ...(['add_step', 'report', 'request_extension'] as const).flatMap((a): Legal[] => [
    [a, 'accepted', 'county', COUNTY],
    [a, 'handling', 'township', HANDLER],
    [a, 'returned', 'county', COUNTY],
    [a, 'returned', 'township', HANDLER],
  ]),
  ...(['return', 'approve'] as const).flatMap((a): Legal[] => [
    [a, 'reported', 'county', COUNTY],
    [a, 'reported', 'township', COUNTY],
  ]),
  ['decide_extension', 'accepted', 'county', SUPERVISOR],
  ['decide_extension', 'referred', 'township', SUPERVISOR],
  ['decide_extension', 'handling', 'township', SUPERVISOR],
  ['decide_extension', 'returned', 'county', SUPERVISOR],
  ['decide_extension', 'returned', 'township', SUPERVISOR],
  // 其他 is told where to go and closed; only the county does it.
  ['forward_other', 'received', null, COUNTY, ['other']],
  // A named accuser is told of the acceptance once it is decided, and of the result once concluded; their response follows.
  ...DECIDED.map(([st, side]): Legal => ['notify_accept', st, side, COUNTY, ['accusation'], 'named']),
  ['notify_result', 'closed', 'county', COUNTY, ['accusation'], 'named'],
  ['notify_result', 'closed', 'township', COUNTY, ['accusation'], 'named'],
  ['record_response', 'closed', 'county', COUNTY, ['accusation'], 'named'],
  ['record_response', 'closed', 'township', COUNTY, ['accusation'], 'named'],
  // 复查 and 复核 of a concluded 信访-track matter, recorded by the county.
  ...(['request_review', 'decide_review', 'request_recheck', 'decide_recheck'] as const).flatMap((a): Legal[] => [
    [a, 'closed', 'county', COUNTY, ['appeal', 'suggestion']],
    [a, 'closed', 'township', COUNTY, ['appeal', 'suggestion']],
  ]),
  // 问题线索处置: an accusation, disposed of by the side handling it: on the county's side a supervisor decides and the
  // county records the outcome; on a lead 交办 to a township, the township's handler does both.
  // The outcome is recorded by the side that decided (here the side handling the case; a county decision on a lead
  // later 交办 is walked in the lead test), also once the result is reported for review.
  ...(['accepted', 'returned'] as const).map((st): Legal => ['decide_disposition', st, 'county', SUPERVISOR, ['accusation']]),
  ...(['handling', 'returned'] as const).map((st): Legal => ['decide_disposition', st, 'township', HANDLER, ['accusation']]),
  ...(['accepted', 'returned', 'reported'] as const).map((st): Legal => ['record_outcome', st, 'county', COUNTY, ['accusation']]),
  ...(['handling', 'returned', 'reported'] as const).map((st): Legal => ['record_outcome', st, 'township', HANDLER, ['accusation']]),
];
/** The class dimension: a named accusation (every action), and the others for the actions whose rules turn on class or naming. */
interface Matter {
  name: string;
  matterClass: MatterClass;
  named: boolean;
}
const MATTERS: Matter[] = [
  { name: 'accusation/named', matterClass: 'accusation', named: true },
  { name: 'accusation/anonymous', matterClass: 'accusation', named: false },
  { name: 'appeal', matterClass: 'appeal', named: true },
  { name: 'suggestion', matterClass: 'suggestion', named: false },
  { name: 'other', matterClass: 'other', named: true },
];
const CLASS_ACTIONS: CaseAction[] = [
  'accept',
  'refer',
  'transfer',
  'forward_other',
  'notify_accept',
  'notify_result',
  'record_response',
  'request_review',
  'decide_review',
  'request_recheck',
  'decide_recheck',
  'decide_disposition',
  'record_outcome',
];
/** What an action needs to have happened before it (besides the status): set on the case the cell starts from. */
const REVIEWED = `review_requested_at = now(), review_due_at = now() + interval '30 days', review_decided_at = now(), review_opinion = '维持原处理意见'`;
const PREP: Partial<Record<CaseAction, string>> = {
  record_response: `notice_result_at = now(), notice_result_via = 'phone', notice_result_text = '已反馈'`,
  decide_review: `review_requested_at = now(), review_due_at = now() + interval '30 days'`,
  request_recheck: REVIEWED,
  decide_recheck: `${REVIEWED}, recheck_requested_at = now(), recheck_due_at = now() + interval '30 days'`,
  // An outcome needs a disposition with outcome fields (a disposition is an accusation's alone).
  // made by the side handling the case.
  record_outcome: `disposition = CASE WHEN matter_class = 'accusation' THEN 'initial_check' END, disposition_side = CASE WHEN matter_class = 'accusation' THEN COALESCE(handler_side, 'county') END, disposition_reason = '线索具体，具有可查性', disposition_at = now()`,
};
const fits = (l: Legal, m: Matter) => (l[4] === undefined || l[4] === 'all' || l[4].includes(m.matterClass)) && (l[5] !== 'named' || m.named);
const TO: Partial<Record<CaseAction, PetitionStatus>> = {
  accept: 'accepted',
  refer: 'referred',
  transfer: 'transferred',
  record_transfer_outcome: 'closed',
  township_accept: 'handling',
  report: 'reported',
  return: 'returned',
  approve: 'closed',
  forward_other: 'closed',
};

/** Every state a case can be in: its status and who handles it (a 转办 to an outside body stays on the county's side). */
const STATES: [PetitionStatus, Side][] = [
  ['received', null],
  ['accepted', 'county'],
  ['referred', 'township'],
  ['transferred', 'township'],
  ['transferred', 'county'],
  ['handling', 'township'],
  ['reported', 'county'],
  ['reported', 'township'],
  ['returned', 'county'],
  ['returned', 'township'],
  ['closed', 'county'],
  ['closed', 'township'],
];
/**
 * Every role there is: the county office, a township's handler and staff (and another township's handler), the
 * principal leader, the three administrators, issue 17's roles, and a kiosk. Only the first few may ever act on a case.
 */
const ACTORS = [
  'officer1',
  'supervisor',
  'xingsha-handler',
  'langli-handler',
  'xingsha-staff',
  'leader1',
  'admin',
  'secadmin',
  'auditor',
  'reviewer1',
  'conduct1',
  'district1-leader',
  'district2-inspector',
  'kiosk',
] as const;
type Actor = (typeof ACTORS)[number];
/**
 * The class dimension is walked by the roles it could matter to (the county office, the townships, the leader) and
 * by two that never act (an administrator, a kiosk): the others are refused on role alone, before class is read, and
 * walk every action × state on the named accusation and every route × class below.
 */
const CLASS_ACTORS: readonly Actor[] = ['officer1', 'supervisor', 'xingsha-handler', 'langli-handler', 'xingsha-staff', 'leader1', 'admin', 'kiosk'];

const BODIES: Record<CaseAction, Record<string, unknown>> = {
  accept: {},
  refer: {},
  transfer: { to: 'other', otherBody: '县委组织部', text: '' },
  record_transfer_outcome: { text: '经县委组织部调查，已作出处理' },
  report_progress: { text: '已走访相关村民，正在调取账目', attachmentIds: [] },
  township_accept: {},
  add_step: { text: '走访核实' },
  report: { text: '经核查,反映问题部分属实' },
  return: { text: '证据不足,请补充调查' },
  approve: { feedback: '您反映的问题已查实并处理', text: '' },
  request_extension: { days: 10, text: '需要补充调取账目' },
  decide_extension: { approve: true, text: '' },
  forward_other: { otherBody: '县人社局劳动监察大队', text: '已告知' },
  notify_accept: { via: 'phone', text: '您的检举已受理，交由镇纪委办理' },
  notify_result: { via: 'in_person', text: '经核查，反映问题部分属实，已作处理' },
  record_response: { response: 'objection', text: '认为处理偏轻，已向其说明依据' },
  request_review: { text: '对处理意见不服' },
  decide_review: { opinion: '经复查，维持原处理意见', text: '' },
  request_recheck: { text: '对复查意见不服' },
  decide_recheck: { opinion: '经复核，维持复查意见', text: '' },
  decide_disposition: { disposition: 'talk_letter', reason: '反映问题较为笼统，先行函询' },
  record_outcome: { outcome: { disposition: 'initial_check', conclusion: 'partly', summary: '经初步核实，反映问题部分属实' } },
};

/**
 * The jurisdiction dimension (分级负责, issue 16): who the accused are decides whether a matter may go down to its
 * township. Written out by hand: what a referral to xingsha must answer for each, with and without a supervisor's
 * reason. The county keeps every one of them itself (accept is never barred).
 */
interface Jurisdiction {
  name: string;
  accused: { level: string; standing: string; township: string | null }[];
  /** The answer to a referral without a reason, and with one (officer, supervisor). */
  refer: 'ok' | 'JURISDICTION' | 'COI';
}
const JURISDICTIONS: Jurisdiction[] = [
  { name: 'no accused named', accused: [], refer: 'ok' },
  { name: 'village cadre', accused: [{ level: 'village_cadre', standing: 'none', township: null }], refer: 'ok' },
  { name: 'township cadre of another township', accused: [{ level: 'township_cadre', standing: 'none', township: 'langli' }], refer: 'ok' },
  { name: 'another township’s principal leader', accused: [{ level: 'township_cadre', standing: 'principal_leader', township: 'langli' }], refer: 'ok' },
  { name: 'township cadre of this township', accused: [{ level: 'township_cadre', standing: 'none', township: 'xingsha' }], refer: 'COI' },
  { name: '县管干部', accused: [{ level: 'county_managed', standing: 'none', township: null }], refer: 'JURISDICTION' },
  {
    name: '县管干部 among village cadres',
    accused: [
      { level: 'village_cadre', standing: 'none', township: null },
      { level: 'county_managed', standing: 'none', township: 'langli' },
    ],
    refer: 'JURISDICTION',
  },
  {
    name: 'this township’s principal leader',
    accused: [{ level: 'township_cadre', standing: 'principal_leader', township: 'xingsha' }],
    refer: 'JURISDICTION',
  },
  {
    name: 'this township’s commission (township not given)',
    accused: [{ level: 'township_cadre', standing: 'commission', township: null }],
    refer: 'JURISDICTION',
  },
  { name: 'level not confirmed', accused: [{ level: 'unknown', standing: 'none', township: null }], refer: 'JURISDICTION' },
];

function expected(
  action: CaseAction,
  status: PetitionStatus,
  side: Side,
  actor: Actor,
  role: Role,
  m: Matter,
): 'ok' | 'NOT_FOUND' | 'FORBIDDEN' | 'INVALID_STATE' {
  const township = role === 'township_handler' || role === 'township_staff';
  if (township && (actor === 'langli-handler' || side !== 'township')) return 'NOT_FOUND';
  const rows = LEGAL.filter((l) => l[0] === action);
  if (rows.some((l) => l[1] === status && l[2] === side && l[3].includes(role) && fits(l, m))) return 'ok';
  if (!rows.some((l) => l[3].includes(role))) return 'FORBIDDEN';
  // The class and naming are part of the case's state: an action that never applies to them is refused as such.
  const applicable = rows.filter((l) => fits(l, m));
  if (!applicable.length) return 'INVALID_STATE';
  if (!applicable.some((l) => l[1] === status)) return 'INVALID_STATE';
  return 'FORBIDDEN';
}

/** 问题线索处置: the lead's own states (undecided, each disposition decided, each with its outcome where it has one). */
interface Lead {
  name: string;
  disposition: Disposition | null;
  outcome: boolean;
  /** Made by the county before it 交办 the lead (the township assists); otherwise by the side handling the case. */
  byCounty?: true;
}
const LEADS: Lead[] = [
  { name: 'undecided', disposition: null, outcome: false },
  ...DISPOSITIONS.map((d): Lead => ({ name: d, disposition: d, outcome: false })),
  ...DISPOSITIONS_WITH_OUTCOME.map((d): Lead => ({ name: `${d}+outcome`, disposition: d, outcome: true })),
  { name: 'county initial_check', disposition: 'initial_check', outcome: false, byCounty: true },
  { name: 'county shelve', disposition: 'shelve', outcome: false, byCounty: true },
];
/** 暂存待查's review day: a month on. */
const REVIEW_ON = isoDay(dayOf(new Date()) + 30);
const DECIDE = (d: Disposition) => ({
  action: 'decide_disposition',
  disposition: d,
  reason: `拟${DISPOSITION_LABELS[d]}：线索具体，有可查性`,
  ...(d === 'shelve' ? { reviewOn: REVIEW_ON } : {}),
});
const OUTCOMES = {
  talk_letter: { disposition: 'talk_letter', assessment: 'explained', reply: '已按期书面回复，说明了有关情况' },
  initial_check: { disposition: 'initial_check', conclusion: 'partly', summary: '经初步核实，反映问题部分属实' },
} as const;
const OUTCOME_OF = (d: Disposition) => ({ action: 'record_outcome', outcome: OUTCOMES[d as keyof typeof OUTCOMES] });
/** What is tried on a lead: each of the four decisions, and each outcome. */
const LEAD_TRIES = [
  ...DISPOSITIONS.map((d) => ({ name: `decide ${d}`, body: DECIDE(d) })),
  ...DISPOSITIONS_WITH_OUTCOME.map((d) => ({ name: `outcome ${d}`, body: OUTCOME_OF(d) })),
];
/** A lead's state set directly, for a case in a status the service never decides it in. */
const LEAD_SQL = (lead: Lead) =>
  lead.disposition
    ? [
        `disposition = '${lead.disposition}', disposition_side = ${lead.byCounty ? `'county'` : `COALESCE(handler_side, 'county')`}, disposition_reason = '线索具体，有可查性', disposition_at = now()`,
        lead.disposition === 'shelve' ? `disposition_review_due_at = now() + interval '30 days'` : '',
        lead.outcome
          ? `disposition_outcome = '${lead.disposition === 'talk_letter' ? 'explained' : 'partly'}', disposition_outcome_text = '已记录', disposition_outcome_at = now()`
          : '',
      ]
        .filter(Boolean)
        .join(', ')
    : undefined;

/** What the rules of 问题线索处置 answer, after the table's own answer (role, class, status, side). */
function expectedLead(body: Record<string, unknown>, lead: Lead, status: PetitionStatus, side: Side, actor: Actor, role: Role, m: Matter): string {
  let base = expected(body.action as CaseAction, status, side, actor, role, m);
  // A county decision (not 暂存待查) on a lead since 交办: its outcome is the county's to record, while the township
  // assists and when the result comes back; the township may not.
  if (body.action === 'record_outcome' && lead.byCounty && side === 'township' && lead.disposition !== 'shelve' && base !== 'NOT_FOUND') {
    const recording = ['accepted', 'handling', 'returned', 'reported'].includes(status);
    if (COUNTY.includes(role)) base = recording ? 'ok' : 'INVALID_STATE';
    else if (role === 'township_handler') base = recording ? 'FORBIDDEN' : 'INVALID_STATE';
    if (base === 'ok') return (body.outcome as { disposition: string }).disposition === lead.disposition ? 'ok' : 'BAD_REQUEST';
  }
  if (base !== 'ok') return base;
  // A disposition the county made stays the county's: the township assisting may neither change nor record it, except a
  // lead the county shelved, which the township it went to decides.
  if (lead.byCounty && side === 'township') return body.action === 'decide_disposition' && lead.disposition === 'shelve' ? 'ok' : 'INVALID_STATE';
  // Decided once; a lead in 暂存待查 comes back for review and is decided again.
  if (body.action === 'decide_disposition') return lead.disposition && lead.disposition !== 'shelve' ? 'INVALID_STATE' : 'ok';
  // An outcome: after a disposition that has one, of that disposition, once.
  if (!lead.disposition || !DISPOSITIONS_WITH_OUTCOME.includes(lead.disposition)) return 'INVALID_STATE';
  if ((body.outcome as { disposition: string }).disposition !== lead.disposition) return 'BAD_REQUEST';
  return lead.outcome ? 'INVALID_STATE' : 'ok';
}

/** The three ways down or out: 交办 and 转办 to the matter's township, 转办 to an outside body; and the step after each. */
const ROUTES = [
  {
    name: '交办',
    body: { action: 'refer', handlerId: null },
    to: ['referred', 'township'] as [PetitionStatus, Side],
    route: 'jiaoban',
    transferTo: null,
    next: { actor: 'xingsha-handler' as Actor, body: { action: 'township_accept' }, to: ['handling', 'township'] as [PetitionStatus, Side] },
  },
  {
    name: '转办 to the township',
    body: { action: 'transfer', to: 'township', handlerId: null },
    to: ['transferred', 'township'] as [PetitionStatus, Side],
    route: 'zhuanban',
    transferTo: null,
    next: {
      actor: 'xingsha-handler' as Actor,
      body: { action: 'record_transfer_outcome', text: '经镇纪委调查，已作出处理' },
      to: ['closed', 'township'] as [PetitionStatus, Side],
    },
  },
  {
    name: '转办 to an outside body',
    body: { action: 'transfer', to: 'other', otherBody: '县委组织部' },
    to: ['transferred', 'county'] as [PetitionStatus, Side],
    route: 'zhuanban',
    transferTo: '县委组织部',
    next: {
      actor: 'officer1' as Actor,
      body: { action: 'record_transfer_outcome', text: '经县委组织部调查，已作出处理' },
      to: ['closed', 'county'] as [PetitionStatus, Side],
    },
  },
];

/** The states a sealed matter is tried in: before a decision, with the county, down with the township, concluded. */
const SEALED_STATES: [PetitionStatus, Side][] = [
  ['received', null],
  ['accepted', 'county'],
  ['handling', 'township'],
  ['closed', 'county'],
];

describe.each(backends)('case transitions on $name', (backend) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  const claims = {} as Record<Actor, Claims>;
  const svc = () => new CaseService(db);

  beforeAll(async () => {
    ({ db, cleanup } = await migrated(backend));
    Object.assign(
      claims,
      await seededClaims(
        db,
        ACTORS.filter((a) => a !== 'kiosk'),
      ),
    );
    claims.kiosk = {
      sub: randomUUID(),
      role: 'kiosk',
      twp: 'xingsha',
      name: 'kiosk',
      sid: randomUUID(),
      exp: 0,
      iat: 0,
      aud: 'vj:kiosk',
      iss: 'vj-signaling',
    } as Claims;
  });
  afterAll(async () => cleanup?.());

  /** A case in the given state; `prep` sets what the action needs to have happened first (PREP). */
  async function caseIn(status: PetitionStatus, side: Side, pending: boolean, m: Matter = MATTERS[0]!, prep?: string): Promise<string> {
    const id = randomUUID();
    const officer = claims.officer1.sub;
    await db.query(
      `INSERT INTO petitions (id, case_code, pin_hash, request_digest, township_code, category, narrative, anonymous, created_by, status, handler_side, decided_at, accept_due_at, conclude_due_at, extension_pending,
                              matter_class, other_body, clock_rules, route, transfer_to, progress_due_at)
       VALUES ($1, $2, 'x', 'x', 'xingsha', '其他', '测试', $7, $3, $4, $5, CASE WHEN $5::text IS NULL THEN NULL ELSE now() END, now() + interval '15 days',
               CASE WHEN $5::text IS NULL OR $4 = 'transferred' THEN NULL ELSE now() + interval '60 days' END, $6,
               $8, $9, 2,
               -- A township's case is 交办 unless it was 转办; an outside body's 转办 names the body.
               CASE WHEN $4 = 'transferred' THEN 'zhuanban' WHEN $5 = 'township' THEN 'jiaoban' END,
               CASE WHEN $4 = 'transferred' AND $5 = 'county' THEN '县委组织部' END,
               CASE WHEN $4 <> 'transferred' AND $5 = 'township' THEN now() + interval '90 days' END)`,
      [
        id,
        String(Math.floor(Math.random() * 1e10)).padStart(10, '0'),
        officer,
        status,
        side,
        pending ? JSON.stringify({ days: 10, reason: '补充调查', requestedAt: new Date().toISOString(), by: officer }) : null,
        !m.named,
        m.matterClass,
        m.matterClass === 'other' ? '县信访局' : null,
      ],
    );
    if (prep) await db.query(`UPDATE petitions SET ${prep} WHERE id = $1`, [id]);
    return id;
  }

  /** The petition row as stored, its steps and the length of the whole audit log, in one read. */
  const snapshot = async (id: string) => {
    const r = await db.query<{ row: string | null; steps: string; audit: string }>(
      `SELECT (SELECT row_to_json(p)::text FROM petitions p WHERE p.id = $1) AS row,
              (SELECT count(*) FROM case_steps WHERE petition_id = $1) AS steps, (SELECT count(*) FROM audit_log) AS audit`,
      [id],
    );
    return { row: r.rows[0]!.row, steps: Number(r.rows[0]!.steps), audit: Number(r.rows[0]!.audit) };
  };
  type Snap = Awaited<ReturnType<typeof snapshot>>;
  const same = (a: Snap, b: Snap) => a.row === b.row && a.steps === b.steps && a.audit === b.audit;

  /** One attempt through the service: 'ok' and the view, or the refusal's code and message. */
  async function attempt(actor: Actor, id: string, body: Record<string, unknown>): Promise<{ got: string; message?: string; view?: CaseWorkflowView }> {
    try {
      const view = await svc().transition(claims[actor], id, { stepId: randomUUID(), ...body } as never);
      return { got: 'ok', view };
    } catch (err) {
      return { got: (err as { code?: string }).code ?? String(err), message: (err as Error).message };
    }
  }

  /** What a legal action leaves: one step, one audit row, the last one, about this case and this action. */
  async function legalTrail(cell: string, id: string, action: CaseAction, before: Snap, wrong: string[]): Promise<void> {
    const after = await snapshot(id);
    if (after.steps !== before.steps + 1 || after.audit !== before.audit + 1) wrong.push(`${cell}: step or audit row missing`);
    const audit = await db.query<{ action: string; object_id: string }>('SELECT action, object_id FROM audit_log ORDER BY seq DESC LIMIT 1');
    if (audit.rows[0]?.action !== `case.${action}` || audit.rows[0]?.object_id !== id)
      wrong.push(`${cell}: last audit row is ${JSON.stringify(audit.rows[0])}`);
  }

  /**
   * Walks one cell of a table: every actor tries `body` on a case made by `make`. A legal attempt gets a case of its
   * own and must leave its trail (and pass `onLegal`); the refusals share one case, read before the first and after
   * the last, which none of them may have changed (status, updated_at, any column, steps, the audit log).
   */
  async function walk(
    cell: string,
    make: () => Promise<string>,
    tries: readonly { actor: Actor; body: Record<string, unknown>; want: string }[],
    wrong: string[],
    onLegal?: (t: { actor: Actor; body: Record<string, unknown> }, id: string, view: CaseWorkflowView) => Promise<void>,
  ): Promise<Map<string, number>> {
    const seen = new Map<string, number>();
    let shared: { id: string; before: Snap; refused: string[] } | undefined;
    for (const t of tries) {
      const action = t.body.action as CaseAction;
      const name = `${cell} ${t.actor} ${action}`;
      let id: string;
      let before: Snap;
      if (t.want === 'ok' && shared) {
        // The audit log is one for all cases: check the refusals so far before a legal action lengthens it.
        const now = await snapshot(shared.id);
        if (!same(shared.before, now)) wrong.push(`${cell}: refused (${shared.refused.join('; ')}) but something changed`);
        shared = { id: shared.id, before: now, refused: [] };
      }
      if (t.want === 'ok' || !shared) {
        id = await make();
        before = await snapshot(id);
        if (t.want !== 'ok') shared = { id, before, refused: [] };
      } else ({ id, before } = shared);
      const { got, view } = await attempt(t.actor, id, t.body);
      seen.set(got, (seen.get(got) ?? 0) + 1);
      if (got !== t.want) wrong.push(`${name}: got ${got}, want ${t.want}`);
      if (got === 'ok') {
        await legalTrail(name, id, action, before, wrong);
        await onLegal?.(t, id, view!);
        // The case moved: the next refusal gets a case of its own.
        if (shared?.id === id) shared = undefined;
        else if (shared) shared.before = { ...shared.before, audit: (await snapshot(shared.id)).audit };
      } else if (shared?.id === id) shared.refused.push(`${t.actor} ${action} ${got}`);
      else if (!same(before, await snapshot(id))) wrong.push(`${name}: refused (${got}) but something changed`);
    }
    if (shared && !same(shared.before, await snapshot(shared.id))) wrong.push(`${cell}: refused (${shared.refused.join('; ')}) but something changed`);
    return seen;
  }

  it('every action × every state × every role × class and naming: legal ones move the case and are audited, illegal ones change nothing', async () => {
    const wrong: string[] = [];
    let legal = 0;
    let wantLegal = 0;
    let cells = 0;
    const legalBy = new Map<string, number>();
    const noticesBy = new Map<string, number>();
    const answersBy = new Map<Actor, Set<string>>();
    for (const m of MATTERS) {
      const actions = m === MATTERS[0] ? CASE_ACTIONS : CLASS_ACTIONS;
      for (const action of actions) {
        for (const [status, side] of STATES) {
          const tries = (m === MATTERS[0] ? ACTORS : CLASS_ACTORS).map((actor) => ({
            actor,
            body: { action, ...BODIES[action] },
            want: expected(action, status, side, actor, claims[actor].role, m),
          }));
          cells += tries.length;
          wantLegal += tries.filter((t) => t.want === 'ok').length;
          await walk(
            `${m.name} ${status}/${side}`,
            () => caseIn(status, side, action === 'decide_extension', m, PREP[action]),
            tries,
            wrong,
            async (t, id, view) => {
              legal++;
              legalBy.set(m.name, (legalBy.get(m.name) ?? 0) + 1);
              if (action.startsWith('notify_') || action === 'record_response') noticesBy.set(m.name, (noticesBy.get(m.name) ?? 0) + 1);
              const wantStatus = TO[action] ?? status;
              if (view.status !== wantStatus) wrong.push(`${m.name} ${t.actor} ${action} ${status}/${side}: status ${view.status}, want ${wantStatus}`);
            },
          );
          for (const t of tries) answersBy.set(t.actor, new Set([...(answersBy.get(t.actor) ?? []), t.want]));
        }
      }
    }
    console.log(`case transitions (${backend.name}): ${cells} cells, ${legal} legal, ${wrong.length} wrong`);
    expect(wrong).toEqual([]);
    expect(legal).toBe(wantLegal);
    // Not vacuous: each class has actions it may take, and only a named accusation has notices to give.
    for (const m of MATTERS) expect(legalBy.get(m.name) ?? 0, m.name).toBeGreaterThan(0);
    expect(noticesBy.get('accusation/named')).toBeGreaterThan(0);
    expect([...noticesBy.keys()]).toEqual(['accusation/named']);
    // Every role was asked: the county office acts, the township handler acts on its own township's cases, and no
    // other role (the leader, the administrators, issue 17's roles, a kiosk) ever does.
    for (const a of ['officer1', 'supervisor', 'xingsha-handler'] as const) expect(answersBy.get(a)?.has('ok'), a).toBe(true);
    for (const a of ACTORS.filter((x) => !['officer1', 'supervisor', 'xingsha-handler'].includes(x))) expect(answersBy.get(a)?.has('ok'), a).toBe(false);
  });

  /** A body as the route would pass it on: parsed (defaults filled in) by the boundary's own schema. */
  const parsed = (body: Record<string, unknown>) => {
    const { stepId: _, ...rest } = CaseTransitionBody.parse({ stepId: randomUUID(), ...body }) as Record<string, unknown>;
    return rest;
  };

  /** A lead in the given state of 问题线索处置; an accepted one is decided (and its outcome recorded) through the service. */
  async function leadIn(lead: Lead, status: PetitionStatus, side: Side, m: Matter): Promise<string> {
    if (status !== 'accepted' || side !== 'county') return caseIn(status, side, false, m, LEAD_SQL(lead));
    const id = await caseIn(status, side, false, m);
    if (lead.disposition) await svc().transition(claims.supervisor, id, { stepId: randomUUID(), ...parsed(DECIDE(lead.disposition)) } as never);
    if (lead.outcome) await svc().transition(claims.officer1, id, { stepId: randomUUID(), ...parsed(OUTCOME_OF(lead.disposition!)) } as never);
    return id;
  }

  it('问题线索处置: every disposition × its outcome × the lead’s state × the case’s state × every role: the handling side disposes (a county supervisor, or the township a lead is 交办 to), 暂存待查 is decided again, a county disposition stays the county’s, refusals change nothing', async () => {
    const wrong: string[] = [];
    let cells = 0;
    const seen = new Map<string, number>();
    const legalBy = new Map<string, number>();
    const tries = LEAD_TRIES.map((t) => ({ name: t.name, body: parsed(t.body) }));
    // Every state on the named accusation for the roles that can see a case at all; the accepted lead (the state
    // where the rule applies) for every role, named and anonymous.
    const grid: [Matter, PetitionStatus, Side, readonly Actor[]][] = [
      ...MATTERS.slice(0, 2).map((m): [Matter, PetitionStatus, Side, readonly Actor[]] => [m, 'accepted', 'county', ACTORS]),
      ...STATES.filter(([st, sd]) => st !== 'accepted' || sd !== 'county').map(([st, sd]): [Matter, PetitionStatus, Side, readonly Actor[]] => [
        MATTERS[0]!,
        st,
        sd,
        ['officer1', 'supervisor', 'xingsha-handler'],
      ]),
    ];
    for (const [m, status, side, actors] of grid) {
      // Away from an accepted case: a lead undecided, shelved, decided with its outcome owed or recorded, and two the
      // county decided before a 交办 stand for the rest.
      for (const lead of status === 'accepted' && side === 'county'
        ? LEADS
        : LEADS.filter((l) =>
            ['undecided', 'shelve', 'talk_letter', 'initial_check', 'talk_letter+outcome', 'county initial_check', 'county shelve'].includes(l.name),
          )) {
        const wants = tries.flatMap((t) =>
          actors.map((actor) => ({ actor, body: t.body, want: expectedLead(t.body, lead, status, side, actor, claims[actor].role, m), name: t.name })),
        );
        cells += wants.length;
        const s = await walk(
          `${m.name} lead ${lead.name} ${status}/${side}`,
          () => leadIn(lead, status, side, m),
          wants,
          wrong,
          async (t, id) => {
            const r = await db.query<{
              disposition: string | null;
              disposition_side: string | null;
              disposition_review_due_at: Date | null;
              disposition_outcome: string | null;
            }>('SELECT disposition, disposition_side, disposition_review_due_at, disposition_outcome FROM petitions WHERE id = $1', [id]);
            const row = r.rows[0]!;
            const cell = `${m.name} lead ${lead.name} ${status}/${side} ${t.actor}`;
            if (t.body.action === 'decide_disposition') {
              const d = t.body.disposition as Disposition;
              legalBy.set(`decide ${d} from ${lead.name} on ${side}`, (legalBy.get(`decide ${d} from ${lead.name} on ${side}`) ?? 0) + 1);
              if (
                row.disposition !== d ||
                row.disposition_side !== side ||
                row.disposition_outcome !== null ||
                (d === 'shelve') !== (row.disposition_review_due_at !== null)
              )
                wrong.push(`${cell} decide ${d}: row ${JSON.stringify(row)}`);
            } else {
              const o = t.body.outcome as { disposition: Disposition; assessment?: string; conclusion?: string };
              legalBy.set(`outcome ${o.disposition} on ${side}`, (legalBy.get(`outcome ${o.disposition} on ${side}`) ?? 0) + 1);
              if (row.disposition !== o.disposition || row.disposition_outcome !== (o.assessment ?? o.conclusion))
                wrong.push(`${cell} outcome: row ${JSON.stringify(row)}`);
            }
          },
        );
        for (const [k, v] of s) seen.set(k, (seen.get(k) ?? 0) + v);
      }
    }
    console.log(`lead dispositions (${backend.name}): ${cells} cells, ${wrong.length} wrong, ${JSON.stringify(Object.fromEntries(seen))}`);
    expect(wrong).toEqual([]);
    // Not vacuous: each disposition is decided on an undecided lead and again on a shelved one, never on another
    // decided one; each outcome is recorded; and every refusal the rule has was given.
    // On both sides, and a township decides a lead the county shelved before the 交办.
    for (const d of DISPOSITIONS)
      for (const sd of ['county', 'township']) {
        expect(legalBy.get(`decide ${d} from undecided on ${sd}`) ?? 0, `${d} ${sd}`).toBeGreaterThan(0);
        expect(legalBy.get(`decide ${d} from shelve on ${sd}`) ?? 0, `${d} ${sd}`).toBeGreaterThan(0);
      }
    for (const d of DISPOSITIONS) expect(legalBy.get(`decide ${d} from county shelve on township`) ?? 0, d).toBeGreaterThan(0);
    expect([...legalBy.keys()].filter((k) => k.startsWith('decide') && !/from (undecided|shelve|county shelve) on /.test(k))).toEqual([]);
    for (const d of DISPOSITIONS_WITH_OUTCOME)
      for (const sd of ['county', 'township']) expect(legalBy.get(`outcome ${d} on ${sd}`) ?? 0, `${d} ${sd}`).toBeGreaterThan(0);
    for (const code of ['NOT_FOUND', 'FORBIDDEN', 'INVALID_STATE', 'BAD_REQUEST']) expect(seen.get(code) ?? 0, code).toBeGreaterThan(0);
  });

  it('交办, 转办 to the township and 转办 to an outside body × class × state × every role; then, on the case each made, what the township and the county may take', async () => {
    const wrong: string[] = [];
    let cells = 0;
    const seen = new Map<string, number>();
    // The route itself: from a received matter and from one the county accepted first.
    for (const r of ROUTES) {
      for (const m of MATTERS) {
        for (const [status, side] of [
          ['received', null],
          ['accepted', 'county'],
        ] as const) {
          const body = parsed(r.body);
          const tries = ACTORS.map((actor) => ({ actor, body, want: expected(body.action as CaseAction, status, side, actor, claims[actor].role, m) }));
          cells += tries.length;
          const s = await walk(
            `${r.name} ${m.name} ${status}/${side}`,
            () => caseIn(status, side, false, m),
            tries,
            wrong,
            async (t, id) => {
              const row = (
                await db.query<{
                  status: string;
                  handler_side: string;
                  route: string;
                  transfer_to: string | null;
                  progress_due_at: Date | null;
                  conclude_due_at: Date | null;
                }>('SELECT status, handler_side, route, transfer_to, progress_due_at, conclude_due_at FROM petitions WHERE id = $1', [id])
              ).rows[0]!;
              const jiaoban = r.route === 'jiaoban';
              if (
                row.status !== r.to[0] ||
                row.handler_side !== r.to[1] ||
                row.route !== r.route ||
                row.transfer_to !== r.transferTo ||
                (row.progress_due_at !== null) !== jiaoban ||
                (row.conclude_due_at !== null) !== jiaoban
              )
                wrong.push(`${r.name} ${m.name} ${status}/${side} ${t.actor}: row ${JSON.stringify(row)}`);
            },
          );
          for (const [k, v] of s) seen.set(`route ${k}`, (seen.get(`route ${k}`) ?? 0) + v);
        }
      }
    }
    // After the route, and after the step that follows it (the township takes up its 交办; the outcome of a 转办 is
    // recorded): every action × every role on the case the real route made, each action's prerequisites set first. On a
    // named accusation, the class with the most actions (the route itself was tried on every class above).
    const okBy = new Map<string, Set<string>>();
    for (const r of ROUTES) {
      for (const m of [MATTERS[0]!]) {
        for (const stage of [0, 1]) {
          const [status, side] = stage === 0 ? r.to : r.next.to;
          for (const action of CASE_ACTIONS) {
            const make = async () => {
              const id = await caseIn('received', null, false, m);
              await svc().transition(claims.officer1, id, { stepId: randomUUID(), ...parsed(r.body) } as never);
              if (stage === 1) await svc().transition(claims[r.next.actor], id, { stepId: randomUUID(), ...parsed(r.next.body) } as never);
              const prep = [
                PREP[action],
                action === 'decide_extension'
                  ? `extension_pending = '{"days":10,"reason":"补充调查","requestedAt":"2026-01-01T00:00:00.000Z","by":"x"}'`
                  : undefined,
              ].filter(Boolean);
              if (prep.length) await db.query(`UPDATE petitions SET ${prep.join(', ')} WHERE id = $1`, [id]);
              return id;
            };
            const tries = ACTORS.map((actor) => ({
              actor,
              body: { action, ...BODIES[action] },
              want: expected(action, status, side, actor, claims[actor].role, m),
            }));
            cells += tries.length;
            const key = `${r.name} ${m.name} ${status}/${side}`;
            const s = await walk(key, make, tries, wrong, async (t) => {
              okBy.set(key, new Set([...(okBy.get(key) ?? []), `${t.actor} ${action}`]));
            });
            for (const [k, v] of s) seen.set(k, (seen.get(k) ?? 0) + v);
          }
        }
      }
    }
    console.log(`case routes (${backend.name}): ${cells} cells, ${wrong.length} wrong, ${JSON.stringify(Object.fromEntries(seen))}`);
    expect(wrong).toEqual([]);
    // Not vacuous, and said outright: only a 交办 matter the township took up takes progress reports, from its
    // handler; a 转办 one's outcome is recorded by the township it went to, or by the county for an outside body.
    const ok = (route: string, state: string) => [...(okBy.get(`${route} accusation/named ${state}`) ?? [])];
    expect(ok('交办', 'handling/township')).toContain('xingsha-handler report_progress');
    expect(ok('交办', 'referred/township')).toContain('xingsha-handler township_accept');
    expect(ok('转办 to the township', 'transferred/township').filter((x) => !x.endsWith('notify_accept'))).toEqual(['xingsha-handler record_transfer_outcome']);
    expect(
      ok('转办 to an outside body', 'transferred/county')
        .filter((x) => x.includes('record_transfer_outcome'))
        .sort(),
    ).toEqual(['officer1 record_transfer_outcome', 'supervisor record_transfer_outcome']);
    for (const [key, set] of okBy) {
      if (!key.startsWith('交办'))
        expect(
          [...set].filter((x) => x.endsWith('report_progress')),
          key,
        ).toEqual([]);
      if (key.startsWith('交办'))
        expect(
          [...set].filter((x) => x.endsWith('record_transfer_outcome')),
          key,
        ).toEqual([]);
      if (key.includes('outside'))
        expect(
          [...set].filter((x) => /handler|staff/.test(x)),
          key,
        ).toEqual([]);
    }
    for (const code of ['route ok', 'route NOT_FOUND', 'route FORBIDDEN', 'route INVALID_STATE']) expect(seen.get(code) ?? 0, code).toBeGreaterThan(0);
  });

  it('a sealed matter: every action × every role × its state answers as a missing case, and changes nothing (status, updated_at, steps, audit)', async () => {
    const wrong: string[] = [];
    let cells = 0;
    let wouldBeLegal = 0;
    const sealing = new SealedMatters(db);
    // What a missing id answers, for each action and role.
    const missing = new Map<string, string>();
    for (const action of CASE_ACTIONS)
      for (const actor of ACTORS) {
        const a = await attempt(actor, randomUUID(), { action, ...BODIES[action] });
        missing.set(`${action} ${actor}`, `${a.got} ${a.message}`);
      }
    for (const [status, side] of SEALED_STATES) {
      const id = await caseIn(status, side, true, MATTERS[0]!);
      await sealing.seal(claims.supervisor, id, '反映县纪委监委领导班子成员问题，按规定密封报送');
      const before = await snapshot(id);
      for (const action of CASE_ACTIONS) {
        for (const actor of ACTORS) {
          cells++;
          if (expected(action, status, side, actor, claims[actor].role, MATTERS[0]!) === 'ok') wouldBeLegal++;
          const a = await attempt(actor, id, { action, ...BODIES[action] });
          const answer = `${a.got} ${a.message}`;
          if (a.got !== 'NOT_FOUND' || answer !== missing.get(`${action} ${actor}`))
            wrong.push(`sealed ${status}/${side} ${actor} ${action}: ${answer}, a missing case answers ${missing.get(`${action} ${actor}`)}`);
        }
      }
      const after = await snapshot(id);
      if (!same(before, after)) wrong.push(`sealed ${status}/${side}: something changed`);
      // The same matter unsealed: the county may act on it again (so the refusals above are the seal's doing).
      if (status === 'received') {
        await db.query('UPDATE petitions SET sealed = false, sealed_at = NULL WHERE id = $1', [id]);
        if ((await attempt('officer1', id, { action: 'accept' })).got !== 'ok') wrong.push('unsealed: officer1 may not accept');
      }
    }
    console.log(`sealed matters (${backend.name}): ${cells} cells, ${wouldBeLegal} would be legal unsealed, ${wrong.length} wrong`);
    expect(wrong).toEqual([]);
    expect(wouldBeLegal).toBeGreaterThan(0);
    expect(new Set([...missing.values()].map((v) => v.split(' ')[0]))).toEqual(new Set(['NOT_FOUND']));
  });

  it('refer and accept × jurisdiction of the accused × class × state × role × override: barred referrals change nothing', async () => {
    const wrong: string[] = [];
    let cells = 0;
    const seen = new Map<string, number>();
    for (const j of JURISDICTIONS) {
      for (const m of MATTERS.filter((x) => x.matterClass !== 'other')) {
        for (const [status, side] of [
          ['received', null],
          ['accepted', 'county'],
        ] as const) {
          for (const actor of ['officer1', 'supervisor'] as const) {
            for (const reason of [null, '与被反映人无隶属关系，主任同意交办'] as const) {
              for (const action of ['refer', 'accept'] as const) {
                if (action === 'accept' && (status !== 'received' || reason)) continue;
                cells++;
                const id = await caseIn(status, side, false, m);
                for (const [ord, a] of j.accused.entries()) {
                  await db.query(
                    `INSERT INTO petition_accused (id, petition_id, ord, name, unit, position, township_code, management_level, standing) VALUES ($1, $2, $3, $4, '', '', $5, $6, $7)`,
                    [randomUUID(), id, ord, `被反映人${ord}`, a.township, a.level, a.standing],
                  );
                }
                const before = await snapshot(id);
                const want =
                  action === 'accept' || j.refer === 'ok'
                    ? 'ok'
                    : j.refer === 'JURISDICTION'
                      ? 'JURISDICTION'
                      : !reason
                        ? 'CONFLICT_OF_INTEREST'
                        : actor === 'supervisor'
                          ? 'ok'
                          : 'FORBIDDEN';
                let got: string;
                try {
                  await svc().transition(claims[actor], id, {
                    stepId: randomUUID(),
                    action,
                    ...(action === 'refer' ? { handlerId: null, overrideReason: reason } : {}),
                  } as never);
                  got = 'ok';
                } catch (err) {
                  got = (err as { code?: string }).code ?? String(err);
                }
                seen.set(got, (seen.get(got) ?? 0) + 1);
                const after = await snapshot(id);
                const cell = `${j.name} ${m.name} ${status} ${actor} ${action}${reason ? ' with reason' : ''}`;
                if (got !== want) wrong.push(`${cell}: got ${got}, want ${want}`);
                if (got === 'ok' && (after.steps !== before.steps + 1 || after.audit !== before.audit + 1)) wrong.push(`${cell}: step or audit row missing`);
                if (got !== 'ok' && (after.row !== before.row || after.steps !== before.steps || after.audit !== before.audit))
                  wrong.push(`${cell}: refused (${got}) but something changed`);
              }
            }
          }
        }
      }
    }
    console.log(`case jurisdiction (${backend.name}): ${cells} cells, ${wrong.length} wrong, ${JSON.stringify(Object.fromEntries(seen))}`);
    expect(wrong).toEqual([]);
    // Not vacuous: every answer the rule can give was given.
    for (const code of ['ok', 'JURISDICTION', 'CONFLICT_OF_INTEREST', 'FORBIDDEN']) expect(seen.get(code) ?? 0, code).toBeGreaterThan(0);
  });

  it('a retried step id answers with the case as it is, and never acts twice; reusing it for another action is a conflict', async () => {
    const id = await caseIn('received', null, false);
    const stepId = randomUUID();
    const first = await svc().transition(claims.officer1, id, { stepId, action: 'accept', text: '' });
    const again = await svc().transition(claims.officer1, id, { stepId, action: 'accept', text: '' });
    expect(again.status).toBe(first.status);
    expect(again.steps).toHaveLength(1);
    await expect(svc().transition(claims.officer1, id, { stepId, action: 'refer', text: '', handlerId: null })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('an extension is granted once at most, never longer than the policy allows, and only while one is not pending', async () => {
    const id = await caseIn('handling', 'township', false);
    const h = claims['xingsha-handler'];
    await expect(svc().transition(h, id, { stepId: randomUUID(), action: 'request_extension', days: 31, text: '需要更多时间' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    const asked = await svc().transition(h, id, { stepId: randomUUID(), action: 'request_extension', days: 30, text: '需要更多时间' });
    expect(asked.extensionPending?.days).toBe(30);
    await expect(svc().transition(h, id, { stepId: randomUUID(), action: 'request_extension', days: 5, text: '再申请一次' })).rejects.toMatchObject({
      code: 'INVALID_STATE',
    });
    const due = Date.parse(asked.concludeDueAt!);
    const granted = await svc().transition(claims.supervisor, id, { stepId: randomUUID(), action: 'decide_extension', approve: true, text: '' });
    expect(granted.extensionsUsed).toBe(1);
    expect(granted.extensionPending).toBeNull();
    expect(dayOf(new Date(granted.concludeDueAt!)) - dayOf(new Date(due))).toBe(30);
    await expect(svc().transition(h, id, { stepId: randomUUID(), action: 'request_extension', days: 5, text: '第二次延期' })).rejects.toMatchObject({
      code: 'INVALID_STATE',
    });
  });
});
