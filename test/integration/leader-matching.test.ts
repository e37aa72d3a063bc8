import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PetitionSubmitBody, type SealedListAnswer } from '@vj/shared';
import { backfillAccusedPinyin } from '../../signaling/src/petitions/accused-pinyin.js';
import { api } from '../helpers/api.js';
import { backends, withIntake } from '../helpers/backends.js';
import { loginAll, petitionBody, type Logins } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';

// Issue 16, review finding 1: the commission's principal leader (demo leader1, linked to 郑国栋, 县纪委监委书记,
// XJW-0001) must be recognised as the accused however a villager names them, or the leader reads a matter about
// themself. The sealed-matters page shows it: a matter naming every leader goes to the office (supervisor) instead.

describe.each(backends)('leader matching in SQL ($name)', (backend) => {
  let h: Awaited<ReturnType<typeof withIntake>>;
  beforeAll(async () => {
    h = await withIntake(backend);
  });
  afterAll(async () => {
    await h?.cleanup();
  });

  it('vj_bare_name takes the titles villagers add off a name, and leaves a surname-and-title alone', async () => {
    const bare = async (n: string) => (await h.db.query<{ b: string }>('SELECT vj_bare_name($1) AS b', [n])).rows[0]!.b;
    expect(await bare('郑国栋书记')).toBe('郑国栋');
    expect(await bare('郑国栋 副书记')).toBe('郑国栋');
    expect(await bare('李德明同志')).toBe('李德明');
    expect(await bare('赵建平主任')).toBe('赵建平');
    expect(await bare('郑国栋')).toBe('郑国栋');
    // Nothing but a surname would be left: the surname-and-title rule reads these as written.
    expect(await bare('赵主任')).toBe('赵主任');
    expect(await bare('郑书记')).toBe('郑书记');
  });

  it('vj_names_commission_leadership: the county commission’s leadership, not its offices nor a township’s commission', async () => {
    const names = async (name: string, unit: string, position: string) =>
      (await h.db.query<{ y: boolean }>('SELECT vj_names_commission_leadership($1, $2, $3) AS y', [name, unit, position])).rows[0]!.y;
    expect(await names('县纪委书记', '', '')).toBe(true);
    expect(await names('某某', '县纪委', '书记')).toBe(true);
    expect(await names('某某', '', '县监委主任')).toBe(true);
    expect(await names('纪委监委领导', '', '')).toBe(true);
    expect(await names('某某', '县纪委监委领导班子', '')).toBe(true);
    // A leadership post written in place of a name: who it is, the villager does not know.
    expect(await names('县纪委副书记', '', '')).toBe(true);
    expect(await names('长沙县纪委常委', '', '')).toBe(true);
    // A named deputy is that deputy; the principal leader reads it.
    expect(await names('李某', '县纪委监委领导班子', '副书记')).toBe(false);
    expect(await names('李某', '县纪委监委', '副书记')).toBe(false);
    expect(await names('某某', '县纪委监委信访室', '主任')).toBe(false);
    expect(await names('春华镇纪委书记', '', '')).toBe(false);
    expect(await names('某某', '星沙街道纪工委', '书记')).toBe(false);
    expect(await names('某某', '县纪委', '')).toBe(false);
    // A township unit's 纪委书记 is that township's; 主任科员 is a rank, not the 监委's 主任.
    expect(await names('某某', '春华镇', '纪委书记')).toBe(false);
    expect(await names('某某', '县纪委监委', '主任科员')).toBe(false);
    expect(await names('某某', '', '县纪委书记')).toBe(true);
    expect(await names('某某', '县纪委监委', '书记')).toBe(true);
  });

  it('vj_names_commission_member: the leadership with its deputies and standing committee, for sealing at intake', async () => {
    const member = async (name: string, unit: string, position: string) =>
      (await h.db.query<{ y: boolean }>('SELECT vj_names_commission_member($1, $2, $3) AS y', [name, unit, position])).rows[0]!.y;
    expect(await member('李某', '县纪委监委', '副书记')).toBe(true);
    expect(await member('李某', '县纪委监委领导班子', '副书记')).toBe(true);
    expect(await member('某某', '', '县监委副主任')).toBe(true);
    expect(await member('王某', '长沙县纪委', '常委')).toBe(true);
    // Everything the principal-leadership rule reads is still read.
    expect(await member('县纪委书记', '', '')).toBe(true);
    expect(await member('某某', '县纪委', '书记')).toBe(true);
    // Not its offices, not a township's commission, not a bare title after a name.
    expect(await member('某某', '县纪委监委信访室', '主任')).toBe(false);
    expect(await member('某某', '县纪委监委第一纪检监察室', '副主任')).toBe(false);
    expect(await member('刘某', '春华镇纪委', '副书记')).toBe(false);
    expect(await member('李某副书记', '', '')).toBe(false);
    expect(await member('某某', '', '')).toBe(false);
    // However the commission and the post are written (review of this rule).
    expect(await member('某某', '县纪委', '常务副书记')).toBe(true);
    expect(await member('某某', '县纪委', '专职副书记')).toBe(true);
    expect(await member('某某', '县纪委监察委员会', '副主任')).toBe(true);
    expect(await member('某某', '县纪委、监委', '副主任')).toBe(true);
    expect(await member('某某', '县纪委', '副书记、监委副主任')).toBe(true);
    expect(await member('某某', '县监委', '委员')).toBe(true);
    expect(await member('县纪委常务委员李某', '', '')).toBe(true);
    // A 委员 of the 纪委's plenary is not its leadership; a rank or another post is not the post it begins like.
    expect(await member('某某', '县纪委', '委员')).toBe(false);
    expect(await member('某某', '县纪委监委', '副主任科员')).toBe(false);
    expect(await member('某某', '县纪委监委', '主任科员')).toBe(false);
    expect(await member('某某', '县纪委', '常委会秘书')).toBe(false);
    // A township's own commission, however its unit and position split the words.
    expect(await member('某某', '春华镇', '纪委副书记')).toBe(false);
    expect(await member('某某', '春华镇', '纪委书记')).toBe(false);
    expect(await member('某某', '春华镇纪委', '纪委副书记')).toBe(false);
    // Not the commission at all.
    expect(await member('某某', '县委', '副书记')).toBe(false);
    expect(await member('某某', '县委', '常委')).toBe(false);
  });

  it('accused persons are written with the pinyin of their name, and rows from before the column get it at start', async () => {
    const b = petitionBody('xingsha', null, { accused: [{ name: '郑国东', unit: '', position: '', townshipCode: null, officialCode: null }] });
    await h.svc.submit(h.officer, PetitionSubmitBody.parse(b));
    const pinyin = async () => (await h.db.query<{ p: string }>('SELECT name_pinyin AS p FROM petition_accused WHERE petition_id = $1', [b.id])).rows[0]!.p;
    expect(await pinyin()).toBe('zheng guo dong');
    await h.db.query(`UPDATE petition_accused SET name_pinyin = '' WHERE petition_id = $1`, [b.id]);
    expect(await backfillAccusedPinyin(h.db)).toBe(1);
    expect(await pinyin()).toBe('zheng guo dong');
    expect(await backfillAccusedPinyin(h.db)).toBe(0);
  });
});

describe('the principal leader named without a registry code (sealed matters)', () => {
  let s: InProcessServer;
  let logins: Logins;
  const token = (who: string) => logins[who]!.accessToken;

  beforeAll(async () => {
    s = await startInProcess();
    logins = await loginAll(s.url, ['officer1', 'supervisor', 'leader1']);
  });
  afterAll(async () => {
    await s?.stop();
  });

  async function sealedNaming(accused: { name: string; unit: string; position: string }): Promise<string> {
    const b = petitionBody('xingsha', null, {
      sealed: true,
      accused: [{ townshipCode: null, officialCode: null, managementLevel: 'county_managed', ...accused }],
    });
    const r = await api(s.url, 'POST', '/api/petitions', { token: token('officer1'), body: b });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return b.id;
  }
  const reads = async (who: string, id: string) =>
    (await api<SealedListAnswer>(s.url, 'GET', '/api/sealed', { token: token(who) })).body.items.some((m) => m.id === id);

  it.each([
    ['the leadership by title, no name ("县纪委书记")', { name: '县纪委书记', unit: '', position: '' }],
    ['a name with the principal post in unit and position', { name: '王某', unit: '县纪委', position: '书记' }],
    ['a deputy post written in place of a name ("县纪委副书记")', { name: '县纪委副书记', unit: '', position: '' }],
    ['name and title suffix ("郑国栋书记")', { name: '郑国栋书记', unit: '', position: '' }],
    ['a homophone of the name ("郑国东")', { name: '郑国东', unit: '', position: '' }],
    ['a homophone with a title suffix ("正国东同志")', { name: '正国东同志', unit: '', position: '' }],
  ])('%s names the leader: the leader does not read it, the office does', async (_label, accused) => {
    const id = await sealedNaming(accused);
    expect(await reads('leader1', id)).toBe(false);
    expect((await api(s.url, 'GET', `/api/sealed/${id}`, { token: token('leader1') })).status).toBe(404);
    expect(await reads('supervisor', id)).toBe(true);
  });

  it.each([
    ['an office of the commission ("县纪委监委信访室" 主任)', { name: '钱某', unit: '县纪委监委信访室', position: '主任' }],
    ['a named deputy ("李某", 县纪委监委 副书记)', { name: '李某', unit: '县纪委监委', position: '副书记' }],
    ['a township’s commission ("春华镇纪委书记")', { name: '春华镇纪委书记', unit: '', position: '' }],
    ['another name that only shares the surname ("郑小明")', { name: '郑小明', unit: '', position: '' }],
  ])('%s does not name the leader: the leader reads it', async (_label, accused) => {
    const id = await sealedNaming(accused);
    expect(await reads('leader1', id)).toBe(true);
    expect(await reads('supervisor', id)).toBe(false);
  });
});
