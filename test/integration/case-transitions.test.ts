import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASE_ACTIONS, type CaseAction, type MatterClass, type PetitionStatus, type Role } from '@vj/shared';
import type { Db } from '@vj/signaling';
import { CaseService } from '../../signaling/src/cases/case-service.js';
import { dayOf } from '../../signaling/src/cases/deadline-clock.js';
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
  // 问题线索处置: an accusation the county accepted; a supervisor decides, the handling officer records the outcome.
  ['decide_disposition', 'accepted', 'county', SUPERVISOR, ['accusation']],
  ['record_outcome', 'accepted', 'county', COUNTY, ['accusation']],
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
  record_outcome: `disposition = CASE WHEN matter_class = 'accusation' THEN 'initial_check' END, disposition_reason = '线索具体，具有可查性', disposition_at = now()`,
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
const ACTORS = ['officer1', 'supervisor', 'xingsha-handler', 'langli-handler', 'xingsha-staff', 'admin', 'kiosk'] as const;

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
  actor: (typeof ACTORS)[number],
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

describe.each(backends)('case transitions on $name', (backend) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  const claims = {} as Record<(typeof ACTORS)[number], Claims>;
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

  const snapshot = async (id: string) => {
    const p = await db.query('SELECT * FROM petitions WHERE id = $1', [id]);
    const counts = await db.query<{ steps: string; audit: string }>(
      'SELECT (SELECT count(*) FROM case_steps WHERE petition_id = $1) AS steps, (SELECT count(*) FROM audit_log) AS audit',
      [id],
    );
    return { row: JSON.stringify(p.rows[0]), steps: Number(counts.rows[0]!.steps), audit: Number(counts.rows[0]!.audit) };
  };

  it('every action × every state × every role × class and naming: legal ones move the case and are audited, illegal ones change nothing', async () => {
    const wrong: string[] = [];
    let legal = 0;
    let wantLegal = 0;
    let cells = 0;
    const legalBy = new Map<string, number>();
    const noticesBy = new Map<string, number>();
    for (const m of MATTERS) {
      const actions = m === MATTERS[0] ? CASE_ACTIONS : CLASS_ACTIONS;
      for (const action of actions) {
        for (const [status, side] of STATES) {
          for (const actor of ACTORS) {
            cells++;
            const c = claims[actor];
            const id = await caseIn(status, side, action === 'decide_extension', m, PREP[action]);
            const before = await snapshot(id);
            const want = expected(action, status, side, actor, c.role, m);
            if (want === 'ok') wantLegal++;
            const cell = `${m.name} ${actor} ${action} ${status}/${side}`;
            let got: string;
            try {
              const view = await svc().transition(c, id, { stepId: randomUUID(), action, ...BODIES[action] } as never);
              got = 'ok';
              const wantStatus = TO[action] ?? status;
              if (view.status !== wantStatus) wrong.push(`${cell}: status ${view.status}, want ${wantStatus}`);
            } catch (err) {
              got = (err as { code?: string }).code ?? String(err);
            }
            const after = await snapshot(id);
            if (got !== want) wrong.push(`${cell}: got ${got}, want ${want}`);
            if (got === 'ok') {
              legal++;
              legalBy.set(m.name, (legalBy.get(m.name) ?? 0) + 1);
              if (action.startsWith('notify_') || action === 'record_response') noticesBy.set(m.name, (noticesBy.get(m.name) ?? 0) + 1);
              if (after.steps !== before.steps + 1 || after.audit !== before.audit + 1) wrong.push(`${cell}: step or audit row missing`);
              const audit = await db.query<{ action: string; object_id: string }>('SELECT action, object_id FROM audit_log ORDER BY seq DESC LIMIT 1');
              if (audit.rows[0]?.action !== `case.${action}` || audit.rows[0]?.object_id !== id)
                wrong.push(`${cell}: last audit row is ${JSON.stringify(audit.rows[0])}`);
            } else if (after.row !== before.row || after.steps !== before.steps || after.audit !== before.audit) {
              wrong.push(`${cell}: refused (${got}) but something changed`);
            }
          }
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
