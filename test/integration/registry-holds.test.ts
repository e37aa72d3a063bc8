import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminUserView, HeldChangesAnswer, HeldChangeView, RegistryImportView } from '@vj/shared';
import { api } from '../helpers/api.js';
import { loginAll, type Logins } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';
import { waitFor } from '../helpers/poll.js';

// Issue 16, second review, finding 4: one person's officials import could rename the registry entry of a county
// account (the supervisor is XJW-0002 赵建平, the principal leader XJW-0001 郑国栋), which changes whom that account
// is recused from and whether the leader reads sealed matters. Such a change now waits for a second person.

let s: InProcessServer;
let logins: Logins;
const token = (who: string) => logins[who]!.accessToken;
const userId = (who: string) => logins[who]!.user.id;

beforeAll(async () => {
  s = await startInProcess();
  logins = await loginAll(s.url);
});
afterAll(async () => {
  await s?.stop();
});

const HEADER = '人员编码,姓名,单位编码,单位名称,职务,乡镇,管理层级';

async function importOfficials(who: string, lines: string[]): Promise<RegistryImportView> {
  const res = await fetch(`${s.url}/api/registry/imports?kind=officials`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token(who)}`, 'content-type': 'text/csv' },
    body: [HEADER, ...lines].join('\n'),
  });
  expect(res.status).toBe(202);
  const started = (await res.json()) as RegistryImportView;
  let view = started;
  await waitFor('import done', async () => {
    view = (await api<RegistryImportView>(s.url, 'GET', `/api/registry/imports/${started.id}`, { token: token(who) })).body;
    return view.status === 'done';
  });
  return view;
}

const entry = async (code: string) =>
  (
    await s.server.db.query<{ name: string; position: string; unit_code: string; management_level: string; standing: string }>(
      'SELECT name, position, unit_code, management_level, standing FROM officials WHERE code = $1',
      [code],
    )
  ).rows[0]!;
const held = async (who: string) => (await api<HeldChangesAnswer>(s.url, 'GET', '/api/registry/held', { token: token(who) })).body.items;
const decide = (who: string, id: string, decision: string) =>
  api<HeldChangeView>(s.url, 'POST', `/api/registry/held/${id}`, { token: token(who), body: { decision } });
const auditCount = async (action: string, code: string) =>
  Number((await s.server.db.query<{ n: string }>('SELECT count(*) AS n FROM audit_log WHERE action = $1 AND object_id = $2', [action, code])).rows[0]!.n);
const users = async () => (await api<{ items: AdminUserView[] }>(s.url, 'GET', '/api/admin/users', { token: token('admin') })).body.items;

describe('changes to a county account’s registry entry need a second person', () => {
  it('an import holds them, applies a township entry’s change at once, and reports the held rows', async () => {
    const leaderBefore = await entry('XJW-0001');
    const view = await importOfficials('supervisor', [
      'XJW-0001,郑国栋,XJW-LD,县纪委监委领导班子,科员,,县管干部', // the leader made a 科员: standing and sealed reading would move
      'XJW-0002,赵某某,XJW-XFS,县纪委监委信访室,主任,,县管干部', // the importer renaming themself
      'XS-0004,陈志明,XS-JGW,星沙街道纪工委,副书记,xingsha,乡镇干部', // a township handler's entry: applies as before
    ]);
    expect(view.errors.map((e) => e.line).sort()).toEqual([2, 3]);
    for (const e of view.errors) expect(e.message).toMatch(/已关联县级账号.*另一名管理员确认/);
    expect(view.importedRows).toBe(1);
    expect(await entry('XJW-0001')).toEqual(leaderBefore);
    expect((await entry('XJW-0002')).name).toBe('赵建平');
    expect((await entry('XS-0004')).position).toBe('副书记');
    expect((await users()).find((u) => u.username === 'supervisor')!.personName).toBe('赵建平');
    expect(await auditCount('registry.change_held', 'XJW-0001')).toBe(1);
    // Both wait; the importer sees them but may not decide them; the admin may.
    const mine = await held('supervisor');
    expect(mine.map((h) => h.officialCode).sort()).toEqual(['XJW-0001', 'XJW-0002']);
    expect(mine.every((h) => !h.mayDecide && h.proposedBy.id === userId('supervisor'))).toBe(true);
    const leaderChange = mine.find((h) => h.officialCode === 'XJW-0001')!;
    expect(leaderChange).toMatchObject({ current: { position: '书记' }, proposed: { position: '科员', managementLevel: 'county_managed' }, state: 'pending' });
    expect((await held('admin')).every((h) => h.mayDecide)).toBe(true);
  });

  it('the importer cannot apply their own change; nothing moves', async () => {
    const change = (await held('admin')).find((h) => h.officialCode === 'XJW-0002')!;
    const r = await decide('supervisor', change.id, 'apply');
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect((await entry('XJW-0002')).name).toBe('赵建平');
    expect(await auditCount('registry.change_applied', 'XJW-0002')).toBe(0);
    expect((await held('admin')).find((h) => h.id === change.id)!.state).toBe('pending');
  });

  it('a second person applies one (entry, standing, pinyin and audit together) and rejects the other; a decided change stays decided', async () => {
    const changes = await held('admin');
    const leader = changes.find((h) => h.officialCode === 'XJW-0001')!;
    const own = changes.find((h) => h.officialCode === 'XJW-0002')!;
    const applied = await decide('admin', leader.id, 'apply');
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    expect(applied.body).toMatchObject({ state: 'applied', current: { position: '科员' } });
    expect((await entry('XJW-0001')).position).toBe('科员');
    expect(await auditCount('registry.change_applied', 'XJW-0001')).toBe(1);
    const rejected = await decide('admin', own.id, 'reject');
    expect(rejected.body).toMatchObject({ state: 'rejected' });
    expect((await entry('XJW-0002')).name).toBe('赵建平');
    expect(await auditCount('registry.change_rejected', 'XJW-0002')).toBe(1);
    const again = await decide('admin', own.id, 'apply');
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: { code: 'INVALID_STATE' } });
    expect((await entry('XJW-0002')).name).toBe('赵建平');
    expect(await held('admin')).toEqual([]);
    // Put the leader's entry back, the same way, for the tests after this one.
    await importOfficials('supervisor', ['XJW-0001,郑国栋,XJW-LD,县纪委监委领导班子,书记,,县管干部']);
    const back = (await held('admin')).find((h) => h.officialCode === 'XJW-0001')!;
    expect((await decide('admin', back.id, 'apply')).status).toBe(200);
    expect((await entry('XJW-0001')).position).toBe('书记');
  });

  it('a newer import supersedes a change still waiting; bad decisions change nothing', async () => {
    await importOfficials('supervisor', ['XJW-0002,赵甲,XJW-XFS,县纪委监委信访室,主任,,县管干部']);
    await importOfficials('supervisor', ['XJW-0002,赵乙,XJW-XFS,县纪委监委信访室,主任,,县管干部']);
    const waiting = (await held('admin')).filter((h) => h.officialCode === 'XJW-0002');
    expect(waiting.map((h) => h.proposed.name)).toEqual(['赵乙']);
    expect((await decide('admin', waiting[0]!.id, 'maybe')).status).toBe(400);
    expect((await decide('admin', '00000000-0000-4000-8000-000000000000', 'apply')).status).toBe(404);
    expect((await held('admin')).filter((h) => h.officialCode === 'XJW-0002')).toHaveLength(1);
    expect((await decide('admin', waiting[0]!.id, 'reject')).status).toBe(200);
  });

  it('the person a change describes cannot be its second person', async () => {
    // The system administrator linked to a registry entry (as any staff member may be), then an import changes it.
    const linked = await api(s.url, 'POST', `/api/admin/users/${userId('admin')}/official`, {
      token: token('admin'),
      body: { link: 'official', officialCode: 'XJW-0002' },
    });
    expect(linked.status, JSON.stringify(linked.body)).toBe(200);
    await importOfficials('supervisor', ['XJW-0002,赵丙,XJW-XFS,县纪委监委信访室,主任,,县管干部']);
    const change = (await held('admin')).find((h) => h.officialCode === 'XJW-0002')!;
    expect(change.mayDecide).toBe(false);
    const r = await decide('admin', change.id, 'apply');
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ error: { code: 'CONFLICT_OF_INTEREST' } });
    expect((await entry('XJW-0002')).name).toBe('赵建平');
    // Unlinking themselves does not make them the second person for their own entry.
    await api(s.url, 'POST', `/api/admin/users/${userId('admin')}/official`, { token: token('admin'), body: { link: 'none' } });
    expect((await held('admin')).find((h) => h.id === change.id)?.mayDecide).toBe(false);
    expect((await decide('admin', change.id, 'apply')).body).toMatchObject({ error: { code: 'CONFLICT_OF_INTEREST' } });
    expect((await entry('XJW-0002')).name).toBe('赵建平');
  });

  it('an import never links a county account by name, and keeps the name of a unit such an entry belongs to', async () => {
    const byName = await api<AdminUserView>(s.url, 'POST', `/api/admin/users/${userId('officer2')}/official`, {
      token: token('admin'),
      body: { link: 'name', personName: '李晓梅' },
    });
    expect(byName.status, JSON.stringify(byName.body)).toBe(200);
    const standingBefore = (await entry('XJW-0001')).standing;
    const view = await importOfficials('supervisor', [
      'XJW-0099,李晓梅,XJW-QT,县纪委监委其他室,科员,,县管干部',
      'XJW-0098,钱某,XJW-LD,县纪委监委某某组,科员,,县管干部', // renames the leader's unit
    ]);
    expect((await users()).find((u) => u.username === 'officer2')!.official).toBeNull();
    expect(view.errors).toEqual([{ line: 3, message: expect.stringMatching(/单位名称未改/) }]);
    const unit = await s.server.db.query<{ name: string }>(`SELECT name FROM org_units WHERE code = 'XJW-LD'`);
    expect(unit.rows[0]!.name).toBe('县纪委监委领导班子');
    expect((await entry('XJW-0001')).standing).toBe(standingBefore);
    expect((await entry('XJW-0098')).unit_code).toBe('XJW-LD');
  });
});
