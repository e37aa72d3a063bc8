import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_MESSAGES, type PetitionListAnswer, type SealedListAnswer, type SubmitResult } from '@vj/shared';
import { api } from '../helpers/api.js';
import { loginAll, petitionBody, type Logins } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';

// Issue 16, second review, finding 7: nothing sealed a matter at intake when its accused was the commission's
// principal leader (the demo's 郑国栋, 县纪委监委领导班子 书记, XJW-0001, linked to leader1) unless the officer ticked
// the box. Now the server seals it, by the same rule that recognises a staff account in an accused person.

let s: InProcessServer;
let logins: Logins;
const officer = () => logins['officer1']!.accessToken;

beforeAll(async () => {
  s = await startInProcess();
  logins = await loginAll(s.url);
});
afterAll(async () => {
  await s?.stop();
});

const person = (name: string, unit = '', position = '', officialCode: string | null = null) => ({
  name,
  unit,
  position,
  townshipCode: null,
  officialCode,
  managementLevel: 'county_managed',
  standing: 'none',
});

async function file(accused: ReturnType<typeof person>[]) {
  const body = petitionBody('xingsha', null, { accused });
  const r = await api<SubmitResult>(s.url, 'POST', '/api/petitions', { token: officer(), body });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const row = (await s.server.db.query<{ sealed: boolean }>('SELECT sealed FROM petitions WHERE id = $1', [body.id])).rows[0]!;
  return { body, answer: r.body, sealed: row.sealed };
}

const listed = async () => (await api<PetitionListAnswer>(s.url, 'GET', '/api/petitions?limit=200', { token: officer() })).body.items.map((p) => p.id);

describe('a matter naming the principal leader is sealed at intake, ticked or not', () => {
  it.each([
    ['by registry code', [person('郑国栋', '县纪委监委', '书记', 'XJW-0001')]],
    ['by name and unit, resolved to the registry entry', [person('郑国栋', '县纪委监委领导班子', '书记')]],
    ['by name with the title after it', [person('郑国栋书记')]],
    ['by the post alone', [person('县纪委书记')]],
    ['beside a village cadre', [person('李某某', '星沙街道某村委会', '村主任'), person('县监委主任')]],
  ])('%s', async (_how, accused) => {
    const { body, answer, sealed } = await file(accused);
    expect(sealed).toBe(true);
    expect(answer.sealed).toBe(true);
    expect(await listed()).not.toContain(body.id);
    const audit = await s.server.db.query<{ township_code: string | null; details: Record<string, unknown> }>(
      `SELECT township_code, details FROM audit_log WHERE action = 'petition.create' AND object_id = $1`,
      [body.id],
    );
    expect(audit.rows).toEqual([{ township_code: null, details: { sealed: true } }]);
    // A retry of the same filing answers the same, sealed.
    const again = await api<SubmitResult>(s.url, 'POST', '/api/petitions', { token: officer(), body });
    expect(again.body).toMatchObject({ caseCode: answer.caseCode, sealed: true });
  });

  // Review finding 3: the leadership is more than its principal leader. A deputy or standing-committee member is sealed
  // too, whether the officer wrote the post or the registry holds it; the principal leader reads it (sealed list).
  it.each([
    ['a deputy by unit and post', [person('李德明', '县纪委监委', '副书记')]],
    ['a deputy of the 监委 by post alone', [person('某某', '', '县监委副主任')]],
    ['a standing-committee member of the leadership', [person('王某某', '县纪委监委领导班子', '常委')]],
  ])('%s is sealed', async (_how, accused) => {
    const { body, sealed } = await file(accused);
    expect(sealed, JSON.stringify(accused)).toBe(true);
    expect(await listed()).not.toContain(body.id);
    const leader = (await loginAll(s.url, ['leader1']))['leader1']!.accessToken;
    const sealedList = await api<SealedListAnswer>(s.url, 'GET', '/api/sealed', { token: leader });
    expect(sealedList.status).toBe(200);
    expect(sealedList.body.items.map((i) => i.id)).toContain(body.id);
  });

  it('a deputy the registry holds is sealed by the registry code alone, whatever the officer wrote as unit and post', async () => {
    await s.server.db.query(
      `INSERT INTO officials (code, name, unit_code, position) VALUES ('XJW-0903', '钱副书', 'XJW-LD', '副书记') ON CONFLICT (code) DO NOTHING`,
    );
    const { body, sealed } = await file([person('钱副书', '', '', 'XJW-0903')]);
    expect(sealed).toBe(true);
    expect(await listed()).not.toContain(body.id);
  });

  /** Runs `then` (with the real query) each time intake's leadership check has answered; gives back the real query. */
  function afterEachCheck(then: (query: InProcessServer['server']['db']['query']) => Promise<void>) {
    const db = s.server.db;
    const query = db.query.bind(db);
    db.query = (async (sql: string, params?: unknown[], opts?: { prepare?: string }) => {
      const r = await query(sql, params, opts);
      if (opts?.prepare === 'names_leadership') await then(query);
      return r;
    }) as typeof db.query;
    return query;
  }

  it('a registry change between the leadership check and the insert: the matter is checked again and filed sealed, not linked unsealed to the deputy', async () => {
    const db = s.server.db;
    let raced = false;
    // Lands just after intake's check has answered "not the leadership": the registry now holds 钱某 as a deputy
    // of the unit the officer wrote, so the insert would resolve the accused to that entry.
    const query = afterEachCheck(async (q) => {
      if (raced) return;
      raced = true;
      await q(`INSERT INTO org_units (code, name) VALUES ('XJW-T', '县纪委') ON CONFLICT (code) DO NOTHING`);
      await q(`INSERT INTO officials (code, name, unit_code, position) VALUES ('XJW-0905', '钱某', 'XJW-T', '副书记') ON CONFLICT (code) DO NOTHING`);
    });
    try {
      const { body, sealed } = await file([person('钱某', '县纪委', '')]);
      expect(raced).toBe(true);
      expect(sealed).toBe(true);
      const accused = await db.query<{ official_code: string | null }>('SELECT official_code FROM petition_accused WHERE petition_id = $1', [body.id]);
      expect(accused.rows).toEqual([{ official_code: 'XJW-0905' }]);
      expect(await listed()).not.toContain(body.id);
    } finally {
      db.query = query;
    }
  });

  it('an existing registry entry made a deputy between the check and the insert (same code, new post): checked again and filed sealed', async () => {
    const db = s.server.db;
    const query = db.query.bind(db);
    await query(`INSERT INTO org_units (code, name) VALUES ('XJW-T', '县纪委') ON CONFLICT (code) DO NOTHING`);
    await query(`INSERT INTO officials (code, name, unit_code, position) VALUES ('XJW-0906', '冯某', 'XJW-T', '科员') ON CONFLICT (code) DO NOTHING`);
    let raced = false;
    // The check resolves 冯某 to XJW-0906, a clerk; just after it answers, the registry makes that same entry a deputy.
    afterEachCheck(async (q) => {
      if (raced) return;
      raced = true;
      await q(`UPDATE officials SET position = '副书记' WHERE code = 'XJW-0906'`);
    });
    try {
      const { body, sealed } = await file([person('冯某', '县纪委', '', 'XJW-0906')]);
      expect(raced).toBe(true);
      expect(sealed).toBe(true);
      expect(await listed()).not.toContain(body.id);
    } finally {
      db.query = query;
    }
  });

  it('a registry that changes under every attempt: nothing is filed, and the answer says the registry is being updated', async () => {
    const db = s.server.db;
    const query = db.query.bind(db);
    await query(`INSERT INTO org_units (code, name) VALUES ('XJW-T', '县纪委') ON CONFLICT (code) DO NOTHING`);
    await query(`INSERT INTO officials (code, name, unit_code, position) VALUES ('XJW-0907', '褚某', 'XJW-T', '科员') ON CONFLICT (code) DO NOTHING`);
    let edits = 0;
    // Each time the check answers, the entry's post is edited again (as a long import would), never to a leadership post.
    afterEachCheck(async (q) => void (await q(`UPDATE officials SET position = $1 WHERE code = 'XJW-0907'`, [`科员${++edits}`])));
    try {
      const body = petitionBody('xingsha', null, { accused: [person('褚某', '县纪委', '', 'XJW-0907')] });
      const r = await api<{ error: { message: string } }>(s.url, 'POST', '/api/petitions', { token: officer(), body });
      expect(r.status).toBe(503);
      expect(r.body.error.message).toBe(ERROR_MESSAGES.petitions.registryBusy);
      expect(edits).toBeGreaterThanOrEqual(5);
      expect((await query('SELECT 1 FROM petitions WHERE id = $1', [body.id])).rowCount).toBe(0);
    } finally {
      db.query = query;
    }
  });

  it('an office head, a township commission’s deputy, a village cadre and a name with a bare title are not sealed', async () => {
    for (const accused of [
      [person('王某', '县纪委监委信访室', '主任')],
      [person('刘某', '春华镇纪委', '副书记')],
      [person('刘某', '春华镇', '纪委副书记')],
      [person('孙某', '县纪委监委', '副主任科员')],
      [person('李某某', '星沙街道某村委会', '村主任')],
      [person('李某副书记')],
    ]) {
      const { body, answer, sealed } = await file(accused);
      expect(sealed, JSON.stringify(accused)).toBe(false);
      expect(answer.sealed).toBe(false);
      expect(await listed()).toContain(body.id);
    }
  });
});
