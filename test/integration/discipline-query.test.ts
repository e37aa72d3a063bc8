import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMonths, localDay, withIdCardCheck, type PeopleAnswer, type PersonDetail } from '@vj/shared';
import { writePeople, writeRecords, type PersonInput } from '../../signaling/src/discipline/people-store.js';
import { api } from '../helpers/api.js';
import { loginAll, petitionBody, type Logins } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/poll.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';

// 受处分人员信息查询 (issue 17): the query by name (homophones, pinyin, initials), ID number (blind index) and unit;
// the person page with every record's 影响期 and every earlier accusation (never the accuser, never a sealed
// matter); audit rows in the reading transaction; 片区 scoping; refusals. PostgreSQL (DATABASE_URL) or PGlite
// (VJ_TEST_DB=embedded).

let s: InProcessServer;
let logins: Logins;
const token = (who: string) => logins[who]!.accessToken;
const userId = (who: string) => logins[who]!.user.id;
const ID_CARD = withIdCardCheck('43012119800101123');
const ACCUSER = '举报人丙';
const ACCUSER_PHONE = '13900004321';
const NARRATIVE = '金丝雀叙述：反映其违规收受礼金';
const SEALED_NARRATIVE = '密封金丝雀叙述';
const today = localDay();
const monthsAgo = (n: number) => addMonths(today, -n);

const person = (over: Partial<PersonInput> & Pick<PersonInput, 'code' | 'name'>): PersonInput => ({
  unitCode: 'XS-CJB',
  position: '科员',
  rank: '',
  managementLevel: 'township_cadre',
  keyOfficial: false,
  townshipCode: 'xingsha',
  idCard: null,
  ...over,
});

let accusationCodes: string[] = [];
let sealedCode = '';

const search = (who: string, params: Record<string, string>) =>
  api<PeopleAnswer>(s.url, 'GET', `/api/discipline/people?${new URLSearchParams(params).toString()}`, { token: token(who) });
const page = (who: string, code: string) => api<PersonDetail>(s.url, 'GET', `/api/discipline/people/${code}`, { token: token(who) });
const disciplineAudits = async () =>
  Number((await s.server.db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_log WHERE action LIKE 'discipline.%'`)).rows[0]!.n);

beforeAll(async () => {
  s = await startInProcess();
  logins = await loginAll(s.url);
  const db = s.server.db;
  await db.tx(async (q) => {
    await writePeople(q, db.integrity!, [
      person({ code: 'T-0001', name: '汪剑国', idCard: ID_CARD, keyOfficial: true, position: '主任', rank: '正科级' }),
      person({ code: 'T-0002', name: '易某某', unitCode: 'LL-ZJB', townshipCode: 'langli' }),
      person({ code: 'T-0003', name: '单雄', unitCode: 'CH-MZB', townshipCode: 'chunhua' }),
    ]);
    await writeRecords(q, [
      {
        id: 'T-R1',
        officialCode: 'T-0001',
        decidedOn: monthsAgo(3),
        kind: '政务警告',
        sanction: 'gov_warning',
        probationMonths: null,
        authority: '县纪委监委',
        reason: '违规发放津补贴',
      },
      {
        id: 'T-R2',
        officialCode: 'T-0001',
        decidedOn: '2014-05-06',
        kind: '党内警告',
        sanction: 'party_warning',
        probationMonths: null,
        authority: '县纪委监委',
        reason: '公款吃喝',
      },
      {
        id: 'T-R3',
        officialCode: 'T-0002',
        decidedOn: monthsAgo(30),
        kind: '留党察看',
        sanction: 'party_probation',
        probationMonths: 12,
        authority: '县纪委监委',
        reason: '参与骗取国家征收补偿款',
      },
      {
        id: 'T-R4',
        officialCode: 'T-0002',
        decidedOn: '2019-01-01',
        kind: '诫勉谈话',
        sanction: null,
        probationMonths: null,
        authority: '榔梨街道纪工委',
        reason: '工作不实',
      },
    ]);
  });
  // Two accusations naming 易某某 (linked, and by name and unit), and a sealed one that must never show.
  const officer = token('officer1');
  const accused = (officialCode: string | null) => [
    { name: '易某某', unit: '榔梨街道征拆办', position: '科长', townshipCode: null, officialCode, managementLevel: 'township_cadre', standing: 'none' },
  ];
  for (const [body, sealed] of [
    [
      petitionBody(
        'langli',
        { name: ACCUSER, idCard: '', phone: ACCUSER_PHONE, address: '', village: '' },
        { narrative: NARRATIVE, accused: accused('T-0002') },
      ),
      false,
    ],
    [petitionBody('langli', null, { accused: accused(null) }), false],
    [petitionBody('langli', null, { narrative: SEALED_NARRATIVE, sealed: true, accused: accused('T-0002') }), true],
  ] as const) {
    const r = await api<{ caseCode: string }>(s.url, 'POST', '/api/petitions', { token: officer, body });
    expect(r.status).toBe(200);
    if (sealed) sealedCode = r.body.caseCode;
    else accusationCodes.push(r.body.caseCode);
  }
  accusationCodes = accusationCodes.sort();
});
afterAll(async () => {
  await s?.stop();
});

describe('受处分人员信息查询', () => {
  it('finds by name, homophone, full pinyin and initials, with the 影响期 summed up', async () => {
    const byName = await search('reviewer1', { q: '汪剑国' });
    expect(byName.status).toBe(200);
    // The exact name first, then 王建国 (XS-0001, LL-0003), who sounds the same.
    expect(byName.body.items.map((p) => p.code)).toEqual(['T-0001', 'LL-0003', 'XS-0001']);
    const first = byName.body.items[0]!;
    expect(first).toMatchObject({
      name: '汪剑国',
      unitName: '星沙街道城建办',
      district: { code: 'd1', name: '第一片区' },
      keyOfficial: true,
      recordCount: 2,
      inEffect: true,
    });
    expect(byName.body.items.find((p) => p.code === 'XS-0001')).toMatchObject({ recordCount: 2, inEffect: false });
    // A surname alone: every name written with it before any that only sounds like it (王 before 汪).
    const bySurname = (await search('reviewer1', { q: '王', limit: '100' })).body.items.map((p) => p.code);
    const wang = Math.max(bySurname.indexOf('LL-0003'), bySurname.indexOf('XS-0001'));
    expect(Math.min(bySurname.indexOf('LL-0003'), bySurname.indexOf('XS-0001'))).toBeGreaterThanOrEqual(0);
    expect(bySurname.indexOf('T-0001') === -1 || bySurname.indexOf('T-0001') > wang, bySurname.join(' ')).toBe(true);
    for (const q of ['wjg', 'wangjianguo', 'WangJianGuo', "wang'jian'guo"]) {
      const r = await search('reviewer1', { q });
      expect(r.status, q).toBe(200);
      expect(r.body.items.map((p) => p.code).sort(), q).toEqual(['LL-0003', 'T-0001', 'XS-0001']);
    }
    // 单 as a surname reads shàn: found by "sx", not "dx".
    expect((await search('reviewer1', { q: 'sx' })).body.items.map((p) => p.code)).toContain('T-0003');
    expect((await search('reviewer1', { q: 'dx' })).body.items.map((p) => p.code)).not.toContain('T-0003');
    const only = await search('reviewer1', { q: 'wjg', disciplined: '1' });
    expect(only.body.items.map((p) => p.code).sort()).toEqual(['T-0001', 'XS-0001']);
  });

  it('a short pinyin query that begins many names gives the same page as sorting every match, in every scope', async () => {
    // 70 people whose initials begin "zy" (张勇, 周颖… and 张一鸣, 周雨晴…), in units of all four 片区, some with a
    // record: more than a page, so the answer must be the first page of the whole order, not any 50 matches.
    const given = ['张', '周', '赵', '朱', '庄', '邹', '曾'];
    const second = ['勇', '颖', '云', '燕', '毅', '阳', '远'];
    const third = ['', '鸣', '晴', ''];
    const units = [
      ['XS-DGW', 'xingsha'],
      ['LL-NB', 'langli'],
      ['CH-ZF', 'chunhua'],
      ['XS-SQ01', 'xingsha'],
      ['LL-NB', 'langli'],
    ] as const;
    const made: PersonInput[] = [];
    for (let i = 0; i < 70; i++) {
      const name = `${given[i % 7]}${second[Math.floor(i / 7) % 7]}${third[i % 4]}`;
      const [unitCode, townshipCode] = units[i % 5]!;
      made.push(person({ code: `ZY-${String(i).padStart(3, '0')}`, name, unitCode, townshipCode }));
    }
    const db = s.server.db;
    await db.tx(async (q) => {
      await writePeople(q, db.integrity!, made);
      await writeRecords(
        q,
        made
          .filter((_, i) => i % 3 === 0)
          .map((p, i) => ({
            id: `ZY-R${i}`,
            officialCode: p.code,
            decidedOn: monthsAgo(2),
            kind: '党内警告',
            sanction: 'party_warning' as const,
            probationMonths: null,
            authority: '县纪委监委',
            reason: '测试',
          })),
      );
    });
    // The whole order, by sorting every match: exact key first, then the key matched (the initials where they
    // match, else the whole pinyin), name, code.
    const everyMatch = async (f: string, district: string | null, disciplined: boolean) =>
      (
        await db.query<{ code: string }>(
          `SELECT o.code FROM officials o LEFT JOIN org_units u ON u.code = o.unit_code
            WHERE (o.name_initials LIKE $1 || '%' OR replace(o.name_pinyin, ' ', '') LIKE $1 || '%')
              AND ($2::text IS NULL OR u.district_code = $2) AND (NOT $3 OR EXISTS (SELECT 1 FROM discipline_records d WHERE d.official_code = o.code))
            ORDER BY CASE WHEN o.name_initials LIKE $1 || '%' THEN CASE WHEN o.name_initials = $1 THEN 0 ELSE 1 END
                          ELSE CASE WHEN replace(o.name_pinyin, ' ', '') = $1 THEN 0 ELSE 1 END END,
                     (CASE WHEN o.name_initials LIKE $1 || '%' THEN o.name_initials ELSE replace(o.name_pinyin, ' ', '') END) COLLATE "C", o.name, o.code`,
          [f, district, disciplined],
        )
      ).rows.map((r) => r.code);
    for (const [who, district] of [
      ['reviewer1', null],
      ['district1-leader', 'd1'],
    ] as const) {
      for (const [q, limit] of [
        ['zy', '50'],
        ['zy', '7'],
        ['zhang', '10'],
        ['z', '50'],
      ] as const) {
        for (const disciplined of ['0', '1'] as const) {
          const all = await everyMatch(q, district, disciplined === '1');
          const r = await search(who, { q, limit, disciplined });
          expect(r.status).toBe(200);
          expect(
            r.body.items.map((p) => p.code),
            `${who} ${q} ${limit} ${disciplined}`,
          ).toEqual(all.slice(0, Number(limit)));
          expect(r.body.truncated).toBe(all.length > Number(limit));
        }
      }
    }
  });

  it('finds by ID number through the blind index only; the number is sealed at rest and shown masked', async () => {
    const r = await search('reviewer1', { by: 'id_card', q: ID_CARD.toLowerCase() });
    expect(r.status).toBe(200);
    expect(r.body.items.map((p) => p.code)).toEqual(['T-0001']);
    const row = (
      await s.server.db.query<{ id_card_ct: Buffer; id_card_index: Buffer }>(`SELECT id_card_ct, id_card_index FROM officials WHERE code = 'T-0001'`)
    ).rows[0]!;
    expect(row.id_card_ct.includes(Buffer.from(ID_CARD))).toBe(false);
    expect(row.id_card_index.includes(Buffer.from(ID_CARD))).toBe(false);
    const p = await page('reviewer1', 'T-0001');
    expect(p.body.person.idCardMasked).toBe(`${ID_CARD.slice(0, 6)}********${ID_CARD.slice(-4)}`);
    expect(JSON.stringify(p.body)).not.toContain(ID_CARD);
    // Another valid number matches nobody.
    expect((await search('reviewer1', { by: 'id_card', q: withIdCardCheck('43012119800101124') })).body.items).toEqual([]);
  });

  it('the registry import seals the ID numbers it is given, refuses a wrong one by row, and keeps pinyin keys', async () => {
    const imported = withIdCardCheck('43012119750505321');
    const wrong = `${imported.slice(0, 17)}${imported.endsWith('0') ? '1' : '0'}`;
    const csv = `人员编码,姓名,单位编码,单位名称,身份证号\nT-IMP1,曾小红,XS-CZS,星沙街道财政所,${imported}\nT-IMP2,曾小兰,XS-CZS,星沙街道财政所,${wrong}\n`;
    const res = await fetch(`${s.url}/api/registry/imports?kind=officials`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token('supervisor')}`, 'content-type': 'text/csv' },
      body: csv,
    });
    expect(res.status).toBe(202);
    const id = ((await res.json()) as { id: string }).id;
    const view = await waitFor('import done', async () => {
      const v = await api<{ status: string; importedRows: number; errors: { line: number; message: string }[] }>(s.url, 'GET', `/api/registry/imports/${id}`, {
        token: token('supervisor'),
      });
      return v.body.status === 'done' ? v.body : undefined;
    });
    expect(view.importedRows).toBe(1);
    expect(view.errors).toEqual([{ line: 3, message: '身份证号校验不通过' }]);
    expect((await search('reviewer1', { by: 'id_card', q: imported })).body.items.map((p) => p.code)).toEqual(['T-IMP1']);
    // 曾 as a surname is zēng.
    expect((await search('reviewer1', { q: 'zxh' })).body.items.map((p) => p.code)).toContain('T-IMP1');
  });

  it('finds by unit', async () => {
    const r = await search('reviewer1', { by: 'unit', q: '城建办' });
    expect(r.status).toBe(200);
    // Key officials first; both 城建办 units (星沙, 榔梨).
    expect(r.body.items[0]!.code).toBe('T-0001');
    expect(r.body.items.map((p) => p.code).sort()).toEqual(['LL-0003', 'T-0001', 'XS-0001']);
  });

  it("the reviewer's page: every record with its 影响期, every earlier accusation by case code and state only", async () => {
    const before = await disciplineAudits();
    const r = await page('reviewer1', 'T-0002');
    expect(r.status).toBe(200);
    expect(r.body.records.map((x) => [x.id, x.effect.state])).toEqual([
      ['T-R3', 'in_effect'], // 留党察看一年 30 months ago: 12 + 24 months, still running
      ['T-R4', 'not_sanction'],
    ]);
    const ends = new Date(Date.parse(`${addMonths(monthsAgo(30), 36)}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    expect(r.body.records[0]!.effect.endsOn).toBe(ends);
    expect(r.body.accusations).toEqual({ total: 2, open: 2, items: expect.any(Array) });
    expect(r.body.accusations!.items.map((a) => a.caseCode).sort()).toEqual(accusationCodes);
    const text = JSON.stringify(r.body);
    for (const secret of [ACCUSER, ACCUSER_PHONE, NARRATIVE, SEALED_NARRATIVE, sealedCode]) expect(text).not.toContain(secret);
    // The view is audited: one row naming the person, ids and counts only.
    expect(await disciplineAudits()).toBe(before + 1);
    const a = (
      await s.server.db.query<{ action: string; object_id: string; details: Record<string, unknown> }>(
        `SELECT action, object_id, details FROM audit_log WHERE action = 'discipline.person_view' ORDER BY seq DESC LIMIT 1`,
      )
    ).rows[0]!;
    expect(a).toMatchObject({ action: 'discipline.person_view', object_id: 'T-0002', details: { records: 2, accusations: 2 } });
  });

  it('the commission leader reads it too, and no sealed matter appears there either', async () => {
    const r = await page('leader1', 'T-0002');
    expect(r.status).toBe(200);
    expect(r.body.accusations!.total).toBe(2);
    expect(JSON.stringify(r.body)).not.toContain(sealedCode);
  });

  it('回避: the accusations that name the reader are left out of the reader’s own view', async () => {
    // The leader's account linked to 易某某 (as if the leader were that person): the same page shows none of them.
    const was = (await s.server.db.query<{ official_code: string | null }>(`SELECT official_code FROM users WHERE username = 'leader1'`)).rows[0]!
      .official_code;
    await s.server.db.query(`UPDATE users SET official_code = 'T-0002' WHERE username = 'leader1'`);
    try {
      const r = await page('leader1', 'T-0002');
      expect(r.status).toBe(200);
      expect(r.body.accusations).toEqual({ total: 0, open: 0, items: [] });
      for (const code of accusationCodes) expect(JSON.stringify(r.body)).not.toContain(code);
    } finally {
      await s.server.db.query(`UPDATE users SET official_code = $1 WHERE username = 'leader1'`, [was]);
    }
    expect((await page('leader1', 'T-0002')).body.accusations!.total).toBe(2);
  });

  it('no answer without its audit row: a failing audit append fails the read', async () => {
    await s.server.db.query(`ALTER TABLE audit_log ADD CONSTRAINT test_no_discipline_audit CHECK (action NOT LIKE 'discipline.%') NOT VALID`);
    try {
      expect((await page('reviewer1', 'T-0001')).status).toBe(500);
      expect((await search('reviewer1', { q: 'wjg' })).status).toBe(500);
    } finally {
      await s.server.db.query('ALTER TABLE audit_log DROP CONSTRAINT test_no_discipline_audit');
    }
    expect((await page('reviewer1', 'T-0001')).status).toBe(200);
    const q = (
      await s.server.db.query<{ details: Record<string, unknown> }>(`SELECT details FROM audit_log WHERE action = 'discipline.query' ORDER BY seq DESC LIMIT 1`)
    ).rows[0];
    expect(JSON.stringify(q)).not.toMatch(/wjg|汪剑国/);
  });

  it('a 片区督查组 sees only its own 片区, and no accusations', async () => {
    const d1 = await page('district1-leader', 'T-0001');
    expect(d1.status).toBe(200);
    expect(d1.body.accusations).toBeNull();
    // Reaching into another 片区 answers as if the person did not exist, and leaves a trace: each is an audited refusal.
    const refusals = async (who: string) =>
      (
        await s.server.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM audit_log WHERE action = 'auth.refused' AND actor_id = $1 AND details->>'code' = 'NOT_FOUND'`,
          [userId(who)],
        )
      ).rows[0]!.n;
    const [leaderBefore, inspectorBefore] = [await refusals('district1-leader'), await refusals('district2-inspector')];
    expect((await page('district1-leader', 'T-0003')).status).toBe(404);
    expect((await page('district2-inspector', 'T-0001')).status).toBe(404);
    expect([await refusals('district1-leader'), await refusals('district2-inspector')]).toEqual([leaderBefore + 1, inspectorBefore + 1]);
    expect((await page('district2-inspector', 'T-0003')).status).toBe(200);
    const found = await search('district2-inspector', { q: 'wjg' });
    expect(found.status).toBe(200);
    expect(found.body.items).toEqual([]);
    const own = await search('district2-inspector', { q: 'sx' });
    expect(own.body.items.every((p) => p.district?.code === 'd2')).toBe(true);
  });

  it('township roles, the petition office and administrators are refused', async () => {
    for (const who of ['xingsha-handler', 'xingsha-staff', 'langli-handler', 'officer1', 'supervisor', 'admin', 'auditor']) {
      expect((await search(who, { q: 'wjg' })).status, who).toBe(403);
      expect((await page(who, 'T-0001')).status, who).toBe(403);
    }
  });

  it('bad input: a clear Chinese error, and nothing is written', async () => {
    const before = await disciplineAudits();
    const cases: [Record<string, string>, RegExp][] = [
      [{ q: '' }, /请输入查询内容/],
      [{ by: 'phone', q: '1' }, /查询方式/],
      [{ by: 'id_card', q: '4301211980' }, /18 位/],
      [{ by: 'id_card', q: `${ID_CARD.slice(0, 17)}${ID_CARD.endsWith('0') ? '1' : '0'}` }, /校验/],
      [{ q: '王%' }, /汉字/],
      [{ q: 'x'.repeat(41) }, /过长/],
    ];
    for (const [params, message] of cases) {
      const r = await api<{ error: { code: string; message: string } }>(s.url, 'GET', `/api/discipline/people?${new URLSearchParams(params).toString()}`, {
        token: token('reviewer1'),
      });
      expect(r.status, JSON.stringify(params)).toBe(400);
      expect(JSON.stringify(r.body), JSON.stringify(params)).toMatch(message);
    }
    expect((await page('reviewer1', 'NOBODY-1')).status).toBe(404);
    expect(await disciplineAudits()).toBe(before);
  });

  it('a bulk pull is stopped: searches and person pages have a per-user budget a minute, refused in Chinese, and one user spent does not stop another', async () => {
    // district3-inspector does nothing else in this file. A person at a desk searches a few times a minute.
    const signedIn = await api<{ accessToken: string }>(s.url, 'POST', '/api/auth/login', {
      body: { username: 'district3-inspector', password: 'district3-inspector-demo' },
    });
    expect(signedIn.status).toBe(200);
    const who = 'district3-inspector';
    logins[who] = signedIn.body as (typeof logins)[string];
    let searched = 0;
    let refused: { status: number; body: unknown } | undefined;
    for (let i = 0; i < 45 && !refused; i++) {
      const r = await search(who, { q: 'abcdefghjk'[i % 10]! });
      if (r.status === 200) searched += 1;
      else refused = r;
    }
    // The budget is counted in a window of a minute: on a slow machine the window may turn over once meanwhile.
    expect(searched).toBeGreaterThanOrEqual(30);
    expect(refused?.status).toBe(429);
    expect(JSON.stringify(refused?.body)).toContain('查询过于频繁');
    let viewed = 0;
    let pageRefused: number | undefined;
    for (let i = 0; i < 80 && pageRefused === undefined; i++) {
      const r = await api(s.url, 'GET', '/api/archive/people/NO-SUCH-CODE', { token: token(who) });
      if (r.status === 429) pageRefused = r.status;
      else viewed += 1;
    }
    expect([viewed >= 60, pageRefused]).toEqual([true, 429]);
    // The auditor sees each budget run out, once per window, however many refusals followed: more of the same is
    // one row, not a flood of the chain.
    const userId = (await s.server.db.query<{ id: string }>(`SELECT id FROM users WHERE username = $1`, [who])).rows[0]!.id;
    for (let i = 0; i < 5; i++) expect((await search(who, { q: 'x' })).status).toBe(429);
    const throttled = await s.server.db.query<{ object_id: string; details: Record<string, unknown> }>(
      `SELECT object_id, details FROM audit_log WHERE action = 'records.throttled' AND actor_id = $1 ORDER BY seq`,
      [userId],
    );
    // One window of each budget can turn over on a slow machine (a second row for it), never one row per refusal.
    expect(throttled.rows.length).toBeGreaterThanOrEqual(2);
    expect(throttled.rows.length).toBeLessThanOrEqual(4);
    expect(new Set(throttled.rows.map((r) => r.details['budget']))).toEqual(new Set([30, 60]));
    expect(throttled.rows.every((r) => r.details['budgetWindowS'] === 60)).toBe(true);
    // Another user's budget is their own.
    expect((await search('district2-inspector', { q: 'sx' })).status).toBe(200);
  });

  it('logs carry no name searched, no ID number', () => {
    const logs = s.logs.join('\n');
    for (const secret of [ID_CARD, '汪剑国', 'wangjianguo']) expect(logs).not.toContain(secret);
  });
});
