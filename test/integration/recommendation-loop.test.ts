import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, RecommendationAction, RecommendationInput, parseOrBadRequest } from '@vj/shared';
import type { Db } from '@vj/signaling';
import { verifyAuditChain } from '../../signaling/src/audit/verify.js';
import { writePeople, writeRecords, writeUnits } from '../../signaling/src/discipline/people-store.js';
import { Recommendations } from '../../signaling/src/discipline/recommendations.js';
import type { Claims } from '../../signaling/src/security/jwt.js';
import { backends, migrated } from '../helpers/backends.js';
import { seededClaims } from '../helpers/claims.js';

// The 建议书 loop's SQL on both databases in one run (the HTTP test runs on whichever the suite uses): the date
// arithmetic of the 督办 board, the locked step, the 片区 filter and the audit chain, through the service with its
// clock moved by the test.

type Who = 'conduct1' | 'district1-leader' | 'district2-inspector';

describe.each(backends)('建议书 → 整改 → 回头看 on $name', (backend) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let svc: Recommendations;
  const who = {} as Record<Who, Claims>;
  let clock = new Date('2026-05-10T12:00:00Z');
  const setDay = (day: string) => void (clock = new Date(`${day}T12:00:00Z`));
  const issue = (over: Partial<RecommendationInput>) =>
    svc.issue(
      who.conduct1,
      parseOrBadRequest(
        RecommendationInput,
        {
          id: randomUUID(),
          kind: 'supervision',
          docNumber: `长县监建〔2026〕${randomUUID().slice(0, 6)}号`,
          unitCode: 'T-U1',
          issuedOn: '2026-05-01',
          problems: '专项资金管理不规范，台账缺失。',
          requests: '建立专项资金台账，按期报告整改情况。',
          deadline: '2026-05-31',
          ...over,
        },
        'request body',
      ),
    );
  const act = (id: string, body: RecommendationAction, actor = who.conduct1) =>
    svc.act(actor, id, parseOrBadRequest(RecommendationAction, body, 'request body'));
  const boardOf = async (actor = who.conduct1) => (await svc.board(actor)).items.map((x) => [x.docNumber, x.overdue?.reason, x.overdue?.days]);

  beforeAll(async () => {
    ({ db, cleanup } = await migrated(backend));
    Object.assign(who, await seededClaims(db, ['conduct1', 'district1-leader', 'district2-inspector'] as const));
    await db.tx(async (q) => {
      await writeUnits(q, [
        { code: 'T-U1', name: '测试一片区财政所', townshipCode: null, districtCode: 'd1' },
        { code: 'T-U2', name: '测试二片区卫生院', townshipCode: null, districtCode: 'd2' },
      ]);
      await writePeople(q, db.integrity!, [
        {
          code: 'T-P1',
          name: '李测试',
          unitCode: 'T-U2',
          position: '科员',
          rank: '',
          managementLevel: 'township_cadre',
          keyOfficial: false,
          townshipCode: null,
          idCard: null,
        },
      ]);
      await writeRecords(q, [
        {
          id: 'T-R1',
          officialCode: 'T-P1',
          decidedOn: '2025-01-02',
          kind: '政务记过',
          sanction: 'gov_demerit',
          probationMonths: null,
          authority: '县纪委监委',
          reason: '套取专项资金',
        },
      ]);
    });
    svc = new Recommendations(db, () => clock);
  });
  afterAll(async () => cleanup?.());

  it('the board over time, the loop to its close, refusals by state, and 片区 scoping', async () => {
    const a = await issue({ docNumber: '甲号', recordIds: ['T-R1'] });
    const b = await issue({ docNumber: '乙号', unitCode: 'T-U2', deadline: '2026-05-20' });
    expect(await boardOf()).toEqual([]);
    setDay('2026-06-02');
    expect(await boardOf()).toEqual([
      ['乙号', 'no_report', 13],
      ['甲号', 'no_report', 2],
    ]);
    expect(await boardOf(who['district1-leader'])).toEqual([['甲号', 'no_report', 2]]);
    expect(await boardOf(who['district2-inspector'])).toEqual([['乙号', 'no_report', 13]]);
    // A 第一片区 letter linked to a 第二片区 person: the 督查组 of 第一片区 is told only that there is one.
    const seen = await svc.detail(who['district1-leader'], a.id);
    expect([seen.links, seen.hiddenLinks]).toEqual([[], 1]);
    await expect(svc.detail(who['district2-inspector'], a.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });

    await act(a.id, { action: 'report', receivedOn: '2026-06-01', summary: '已建立专项资金台账' });
    expect(await boardOf()).toEqual([
      ['乙号', 'no_report', 13],
      ['甲号', 'not_assessed', 2],
    ]);
    const refused = await act(a.id, { action: 'report', receivedOn: '2026-06-01', summary: '再次报送整改情况' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'INVALID_STATE' });
    await act(a.id, { action: 'accept', reviewOn: '2026-07-01' });
    setDay('2026-07-15');
    expect(await boardOf()).toEqual([
      ['乙号', 'no_report', 56],
      ['甲号', 'review_due', 14],
    ]);
    const reopened = await act(a.id, { action: 'review', outcome: 'not_done', notes: '台账仍不完整', deadline: '2026-08-15' });
    expect(reopened).toMatchObject({ state: 'awaiting_report', round: 2, deadline: '2026-08-15', overdue: null });
    setDay('2026-07-21');
    await act(a.id, { action: 'report', receivedOn: '2026-07-20', summary: '台账已补齐' });
    await act(a.id, { action: 'accept', reviewOn: '2026-09-01' });
    const closed = await act(a.id, { action: 'review', outcome: 'done', notes: '回头看确认整改到位' });
    expect(closed.state).toBe('closed');
    expect(closed.events.map((e) => e.type)).toEqual(['issued', 'report', 'accepted', 'review_not_done', 'report', 'accepted', 'review_done']);
    expect((await svc.list(who.conduct1, { state: 'closed', overdue: '0', limit: 10 })).items.map((x) => x.docNumber)).toEqual(['甲号']);
    expect((await svc.list(who.conduct1, { overdue: '1', limit: 10 })).items.map((x) => x.docNumber)).toEqual(['乙号']);
    expect(b.state).toBe('awaiting_report');
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('two steps at once on one letter: the row lock lets one through, the other is refused by state', async () => {
    const c = await issue({ docNumber: '丙号', issuedOn: '2026-07-01', deadline: '2026-08-01' });
    await act(c.id, { action: 'report', receivedOn: '2026-07-10', summary: '整改报告已报送' });
    const results = await Promise.allSettled([
      act(c.id, { action: 'accept', reviewOn: '2026-09-01' }),
      act(c.id, { action: 'return', reason: '整改措施不具体', deadline: '2026-09-01' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const after = await svc.detail(who.conduct1, c.id);
    expect(after.events.map((e) => e.type).filter((t) => t === 'accepted' || t === 'returned')).toHaveLength(1);
  });
});
