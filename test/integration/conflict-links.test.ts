import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, type AdminOfficialView, type AdminUserView, type RegistryImportView, type TownshipCaseView } from '@vj/shared';
import { ROUTES, type RouteKey } from '../../signaling/src/http/access.js';
import { loadConfig } from '../../signaling/src/config.js';
import { openDatabase } from '../../signaling/src/db/db.js';
import { api } from '../helpers/api.js';
import { PNG, kioskToken, loginAll, petitionBody, transition, upload, type Logins } from '../helpers/fixtures.js';
import { startInProcess, type InProcessServer } from '../helpers/inprocess.js';
import { waitFor } from '../helpers/poll.js';
import { REPO } from '../helpers/server.js';
import { connect, send, type TestSocket } from '../helpers/sockets.js';

// Issue 12, point 5: a handler named in a petition must never see it. The names are the demo registry's:
// xingsha-handler is 陈志明 (干事, 星沙街道纪工委, XS-0004), xingsha-staff 周丽华 (XS-0005).

let s: InProcessServer;
let logins: Logins;
const token = (who: string) => logins[who]!.accessToken;
const userId = (who: string) => logins[who]!.user.id;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  s = await startInProcess();
  logins = await loginAll(s.url);
});
afterAll(async () => {
  for (const k of sockets) k.close();
  await s?.stop();
});

// Township cadres, confirmed at intake: a matter about one may go down (分级负责), so the conflict rule is what decides.
const accused = (name: string, over: Record<string, unknown> = {}) => ({
  accused: [{ name, unit: '', position: '', townshipCode: null, officialCode: null, managementLevel: 'township_cadre', ...over }],
});

async function submit(township: string, over: Record<string, unknown>, sessionId: string | null = null) {
  const b = petitionBody(township, null, { ...over, sessionId });
  const r = await api<{ caseCode: string }>(s.url, 'POST', '/api/petitions', { token: token('officer1'), body: b });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { id: b.id, caseCode: r.body.caseCode, narrative: b.narrative };
}

async function link(who: string, body: Record<string, unknown>) {
  const r = await api<AdminUserView>(s.url, 'POST', `/api/admin/users/${userId(who)}/official`, { token: token('admin'), body });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

const listed = async (who: string) =>
  (await api<{ items: TownshipCaseView[] }>(s.url, 'GET', '/api/township/cases', { token: token(who) })).body.items.map((c) => c.id);
const detail = async (who: string, id: string) => (await api(s.url, 'GET', `/api/township/cases/${id}`, { token: token(who) })).status;

/** A finished session of the room with a recording granted to the township; the officer answered it when `answer`. */
async function sessionWithRecording(room: string, officer?: TestSocket): Promise<{ sessionId: string; recordingId: string; end: () => Promise<void> }> {
  const kiosk = await connect(s.url, await kioskToken(s.url, s.server.demo!.kiosks[room]!));
  sockets.push(kiosk);
  const started = await send(kiosk, 'call:start', { requestId: randomUUID() });
  const sessionId = started.ok ? started.data.sessionId : '';
  if (officer) expect(await send(officer, 'call:answer', { sessionId })).toMatchObject({ ok: true });
  const recordingId = randomUUID();
  await s.server.db.query(
    `INSERT INTO recordings (id, session_id, room_code, status, started_at, township_grant) VALUES ($1, $2, $3, 'complete', now(), true)`,
    [recordingId, sessionId, room],
  );
  return { sessionId, recordingId, end: async () => void (await send(kiosk, 'session:end', { sessionId })) };
}

describe('staff accounts linked to their person in the officials registry', () => {
  it('the demo township staff are seeded linked, and the admin sees the link and can search the registry by name or unit', async () => {
    const users = await api<{ items: AdminUserView[] }>(s.url, 'GET', '/api/admin/users', { token: token('admin') });
    expect(users.status).toBe(200);
    const by = (u: string) => users.body.items.find((x) => x.username === u)!;
    expect(by('xingsha-handler')).toMatchObject({
      personName: '陈志明',
      official: { code: 'XS-0004', name: '陈志明', unitName: '星沙街道纪工委', position: '干事', townshipCode: 'xingsha' },
    });
    expect(by('langli-handler').official?.code).toBe('LL-0004');
    expect(by('xingsha-staff').official?.code).toBe('XS-0005');

    const byUnit = await api<{ items: AdminOfficialView[] }>(s.url, 'GET', `/api/admin/officials?q=${encodeURIComponent('星沙街道纪工委')}`, {
      token: token('admin'),
    });
    expect(byUnit.body.items.map((o) => o.code)).toEqual(['XS-0004']);
    expect(byUnit.body.items[0]!.linkedUsers).toEqual(['xingsha-handler']);
    const byName = await api<{ items: AdminOfficialView[] }>(s.url, 'GET', `/api/admin/officials?q=${encodeURIComponent('陈　志')}`, { token: token('admin') });
    expect(byName.body.items.map((o) => o.code)).toEqual(['XS-0004']);
    // Only the admin links accounts.
    for (const who of ['supervisor', 'xingsha-handler']) {
      expect((await api(s.url, 'POST', `/api/admin/users/${userId(who)}/official`, { token: token(who), body: { link: 'none' } })).status).toBe(403);
    }
    const unknown = await api<{ error: { code: string; message: string } }>(s.url, 'POST', `/api/admin/users/${userId('xingsha-handler')}/official`, {
      token: token('admin'),
      body: { link: 'official', officialCode: 'XS-9999' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe('干部档案中没有这个人员编码');
  });

  it('a case naming the linked handler, however the name is written, never goes to their township (its own commission) and is hidden from them', async () => {
    const handler = userId('xingsha-handler');
    // Full-width and odd spaces, the registry code, and the way villagers name a cadre: surname and title.
    // The whole name among other words, as intake writes what it hears (a live probe got all of these referred).
    const naming = [
      '陈志明',
      '陈　志明',
      ' 陈 志明\t',
      '陈干事',
      '陈志明（星沙街道纪工委）',
      '陈志明（音）',
      '陈志明等人',
      '陈志明、王五',
      '星沙纪工委的陈志明',
      '陈·志明',
      '陈志明?',
    ];
    const named = [];
    for (const name of naming) named.push(await submit('xingsha', accused(name)));
    named.push(await submit('xingsha', accused('陈某', { officialCode: 'XS-0004' })));
    // Controls: another 陈, another 干事.
    const others = [await submit('xingsha', accused('陈志强')), await submit('xingsha', accused('王干事'))];

    // A handler is the township's 纪（工）委: a matter about them is about the township commission itself, which
    // never goes to that township (issue 16), to them or to a colleague, and no supervisor's reason changes that.
    for (const p of named) {
      for (const body of [{ action: 'refer', handlerId: handler }, { action: 'refer' }]) {
        const refused = await transition(s.url, token('officer1'), p.id, body);
        expect(refused.status, p.id).toBe(409);
        expect(refused.body).toMatchObject({ error: { code: 'JURISDICTION' } });
        expect((refused.body as unknown as { error: { message: string } }).error.message).toContain('乡镇纪委');
      }
      expect((await transition(s.url, token('supervisor'), p.id, { action: 'refer', overrideReason: '与被反映人无隶属关系' })).body).toMatchObject({
        error: { code: 'JURISDICTION' },
      });
    }
    for (const p of others) expect((await transition(s.url, token('officer1'), p.id, { action: 'refer', handlerId: handler })).status).toBe(200);

    const seen = await listed('xingsha-handler');
    for (const p of named) {
      expect(seen).not.toContain(p.id);
      expect(await detail('xingsha-handler', p.id)).toBe(404);
    }
    for (const p of others) {
      expect(seen).toContain(p.id);
      expect(await detail('xingsha-handler', p.id)).toBe(200);
    }
  });

  it('once linked by the admin: every township route, push, recording and escalation leaves the case out for that handler', async () => {
    const handler = userId('xingsha-handler');
    // Unlinked first, so the handler really holds the case: assigned, accepted, evidence on a step and one more
    // file, a recording of the session it came from granted to the township. That is what linking must hide.
    const unlinked = await link('xingsha-handler', { link: 'none' });
    expect(unlinked).toMatchObject({ personName: null, official: null });
    // As an account whose person the system never knew: an unlink alone keeps the former person recusing it (below).
    await s.server.db.query('DELETE FROM user_former_links WHERE user_id = $1', [handler]);
    const officer = await connect(s.url, token('officer1'));
    sockets.push(officer);
    const session = await sessionWithRecording('xingsha', officer);
    // The villager gave the wrong office, so nothing at referral says this is the township's own commission: the
    // case reaches the handler, and only the admin's link later recognises them.
    const p = await submit('xingsha', accused('陈志明', { unit: '星沙街道城建办', position: '干事' }), session.sessionId);
    await session.end();
    expect((await transition(s.url, token('officer1'), p.id, { action: 'refer', handlerId: handler })).status).toBe(200);
    const h = token('xingsha-handler');
    expect((await transition(s.url, h, p.id, { action: 'township_accept' }, true)).status).toBe(200);
    const onStep = randomUUID();
    const loose = randomUUID();
    for (const id of [onStep, loose]) expect((await upload(s.url, h, p.id, id, PNG, 'image/png', '走访记录.png', '/api/township/cases')).status).toBe(200);
    expect((await transition(s.url, h, p.id, { action: 'add_step', text: '走访村民三户', attachmentIds: [onStep] }, true)).status).toBe(200);
    // A case referred to the same handler that does not name them: still theirs throughout (the control).
    const control = await submit('xingsha', accused('王五'));
    expect((await transition(s.url, token('officer1'), control.id, { action: 'refer', handlerId: handler })).status).toBe(200);

    expect(await listed('xingsha-handler')).toContain(p.id);
    expect(await detail('xingsha-handler', p.id)).toBe(200);
    expect((await api(s.url, 'GET', `/api/township/cases/${p.id}/attachments/${onStep}`, { token: h })).status).toBe(200);
    expect((await api(s.url, 'POST', `/api/township/recordings/${session.recordingId}/playback`, { token: h })).status).toBe(200);

    // The admin links the account to its registry person (关联干部档案): audited with codes only.
    const linked = await link('xingsha-handler', { link: 'official', officialCode: 'XS-0004' });
    expect(linked).toMatchObject({ personName: '陈志明', official: { code: 'XS-0004' } });
    const audit = await s.server.db.query<{ actor_id: string; action: string; details: Record<string, unknown> }>(
      `SELECT actor_id, action, details FROM audit_log WHERE object_type = 'user' AND object_id = $1 ORDER BY seq`,
      [handler],
    );
    expect(audit.rows.map((r) => [r.action, r.details['via'], r.details['officialCode']])).toEqual([
      ['user.unlink', 'admin', null],
      ['user.link', 'admin', 'XS-0004'],
    ]);
    expect(audit.rows.every((r) => r.actor_id === userId('admin'))).toBe(true);
    expect(JSON.stringify(audit.rows)).not.toContain('陈志明');

    // Pushes: the handler's console stays connected while the county works the case and it runs late.
    const pushed: string[] = [];
    const hs = await connect(s.url, h);
    sockets.push(hs);
    hs.onAny((event, payload) => pushed.push(`${event} ${JSON.stringify(payload)}`));
    expect((await upload(s.url, token('officer1'), p.id, randomUUID(), PNG, 'image/png', '补充材料.png')).status).toBe(200);
    expect(
      (
        await api(s.url, 'POST', `/api/recordings/${session.recordingId}/township-grant`, {
          token: token('supervisor'),
          body: { grant: true, reason: '镇街核查需要' },
        })
      ).status,
    ).toBe(200);
    await s.server.db.query(`UPDATE petitions SET conclude_due_at = now() - interval '2 days' WHERE id = ANY($1::uuid[])`, [[p.id, control.id]]);
    // The periodic sweep may hold the sweep lock at this moment: run one that ran.
    await waitFor('a deadline sweep', async () => (await s.server.ctx.deadlines.sweep()).ran);
    await s.server.ctx.deadlines.publishOverdue();

    // Every REST route, as this handler, on this case, its files and its recording: a township route answers 404
    // (or leaves it out of the list), anything else refuses the role; no answer carries the case.
    const answers: string[] = [];
    for (const key of Object.keys(ROUTES) as RouteKey[]) {
      // Signing in and the handler's own account (logout, password, second factor, sessions), not the case.
      if (key === 'GET /api/auth/account' || key.startsWith('POST /api/auth/')) continue;
      const [method, pattern] = key.split(' ') as [string, string];
      const ids = pattern.includes('/recordings/') ? [session.recordingId] : [p.id];
      const attachments = pattern.includes(':attachmentId') ? [onStep, loose] : [''];
      for (const id of ids) {
        for (const att of attachments) {
          const url = pattern.replace(':attachmentId', att).replace(':id', id);
          let status: number;
          let text: string;
          if (method === 'PUT') {
            const r = await upload(
              s.url,
              h,
              id,
              randomUUID(),
              PNG,
              'image/png',
              'x.png',
              pattern.startsWith('/api/township') ? '/api/township/cases' : '/api/petitions',
            );
            [status, text] = [r.status, JSON.stringify(r.body)];
          } else {
            const body = method === 'GET' ? undefined : { stepId: randomUUID(), action: 'add_step', text: '查看', reason: '查看', grant: true };
            const r = await api(s.url, method, url, { token: h, body });
            [status, text] = [r.status, JSON.stringify(r.body)];
          }
          answers.push(`${key} ${status} ${text}`);
          const access = ROUTES[key] as { roles: readonly string[] | 'public'; scope?: string };
          const township = access.roles !== 'public' && access.roles.includes('township_handler');
          if (key === 'GET /api/township/cases') expect(status).toBe(200);
          else if (township && pattern.includes(':id')) expect(status, `${key} ${url}`).toBe(404);
          else if (access.roles !== 'public') expect([401, 403], key).toContain(status); // 401: a kiosk-only route refuses a console token
        }
      }
    }
    const everything = answers.join('\n');
    expect(everything).toContain(control.id); // the list really answers; it just leaves the named case out
    for (const secret of [p.id, p.caseCode, session.recordingId, onStep]) expect(everything).not.toContain(secret);

    // The case became overdue: supervisors are told, and the handler is told of the control but not of this one.
    const notified = await s.server.db.query<{ petition_id: string; notified: { userId: string }[] }>(
      `SELECT petition_id, notified FROM case_escalations WHERE petition_id = ANY($1::uuid[]) AND level = 'overdue'`,
      [[p.id, control.id]],
    );
    const told = (id: string) => notified.rows.find((r) => r.petition_id === id)!.notified.map((n) => n.userId);
    expect(told(control.id)).toContain(handler);
    expect(told(p.id)).not.toContain(handler);
    expect(told(p.id)).toContain(userId('supervisor'));

    // The socket saw the county's traffic of that time, and nothing of this case.
    // An acknowledged request after all that: every push sent before it has arrived (one ordered connection).
    await send(hs, 'rooms:list', {});
    const socketText = pushed.join('\n');
    for (const secret of [p.id, p.caseCode, session.recordingId]) expect(socketText).not.toContain(secret);
  });

  it('an unlink, or a link to someone else, leaves the former person recusing the account: the accused handler still never gets the matter', async () => {
    const handler = userId('langli-handler'); // 刘建华, LL-0004
    // Named with the wrong office (as in the test above): nothing in the registry says this is the township's own
    // commission, so only the account's link (now or before) keeps the matter from its handler.
    const aboutHim = () => submit('langli', accused('刘建华', { unit: '榔梨街道城建办', position: '干事' }));
    const before = await aboutHim();
    expect((await transition(s.url, token('officer1'), before.id, { action: 'refer', handlerId: handler })).body).toMatchObject({
      error: { code: 'JURISDICTION' },
    });
    try {
      // One administrator, alone and at once: unlinked, then linked to another person of the township.
      await link('langli-handler', { link: 'none' });
      const after = await aboutHim();
      await link('langli-handler', { link: 'name', personName: '赵小芳' });
      const later = await aboutHim();
      for (const p of [before, after, later]) {
        for (const body of [{ action: 'refer', handlerId: handler }, { action: 'refer' }]) {
          expect((await transition(s.url, token('officer1'), p.id, body)).body, p.id).toMatchObject({ error: { code: 'JURISDICTION' } });
        }
        expect(await detail('langli-handler', p.id)).toBe(404);
      }
      // The new person is recused from as well, and an unrelated matter still goes down (the control).
      const aboutNew = await submit('langli', accused('赵小芳'));
      expect((await transition(s.url, token('officer1'), aboutNew.id, { action: 'refer', handlerId: handler })).body).toMatchObject({
        error: { code: 'JURISDICTION' },
      });
      const control = await submit('langli', accused('钱多多'));
      expect((await transition(s.url, token('officer1'), control.id, { action: 'refer', handlerId: handler })).status).toBe(200);
      expect(await detail('langli-handler', control.id)).toBe(200);
    } finally {
      await link('langli-handler', { link: 'official', officialCode: 'LL-0004' });
    }
  });

  it('reception staff named in a petition from a session cannot play its recording', async () => {
    const officer = await connect(s.url, token('officer2'));
    sockets.push(officer);
    const named = await sessionWithRecording('xingsha', officer);
    const r = await api<{ petitionId: string }>(s.url, 'POST', '/api/petitions', {
      token: token('officer2'),
      body: petitionBody('xingsha', null, { ...accused('周接待员'), sessionId: named.sessionId }),
    });
    expect(r.status).toBe(200);
    await named.end();
    const plain = await sessionWithRecording('xingsha');
    await plain.end();
    const staff = token('xingsha-staff');
    expect((await api(s.url, 'POST', `/api/township/recordings/${plain.recordingId}/playback`, { token: staff })).status).toBe(200);
    expect((await api(s.url, 'POST', `/api/township/recordings/${named.recordingId}/playback`, { token: staff })).status).toBe(404);
  });

  it('an officials import links an account known only by name, audited, with counts and no names in the logs', async () => {
    const byName = await link('langli-handler', { link: 'name', personName: '孙　立新 ' });
    expect(byName).toMatchObject({ personName: '孙立新', official: null });
    const csv = [
      '人员编码,姓名,单位编码,单位名称,职务,乡镇',
      'LL-0009,孙立新,LL-JGW,榔梨街道纪工委,副书记,langli',
      'CH-0009,孙立新,CH-MZB,春华镇民政办,科员,chunhua',
    ].join('\n');
    const res = await fetch(`${s.url}/api/registry/imports?kind=officials`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token('supervisor')}`, 'content-type': 'text/csv' },
      body: csv,
    });
    expect(res.status).toBe(202);
    const started = (await res.json()) as RegistryImportView;
    await waitFor(
      'import done',
      async () => (await api<RegistryImportView>(s.url, 'GET', `/api/registry/imports/${started.id}`, { token: token('supervisor') })).body.status === 'done',
    );

    const users = await api<{ items: AdminUserView[] }>(s.url, 'GET', '/api/admin/users', { token: token('admin') });
    // Two 孙立新 in the registry; the one in the account's own township is its person.
    expect(users.body.items.find((u) => u.username === 'langli-handler')!.official?.code).toBe('LL-0009');
    const audit = await s.server.db.query<{ actor_id: string; details: Record<string, unknown> }>(
      `SELECT actor_id, details FROM audit_log WHERE action = 'user.link' AND object_id = $1 ORDER BY seq DESC LIMIT 1`,
      [userId('langli-handler')],
    );
    expect(audit.rows[0]).toMatchObject({
      actor_id: userId('supervisor'),
      details: { via: 'registry_import', importId: started.id, officialCode: 'LL-0009', change: 'matched_by_name' },
    });
    const line = s.logs.find((l) => l.includes('registry import finished') && l.includes(started.id))!;
    expect(line).toContain('"usersLinked":1');
    expect(s.logs.join('\n')).not.toContain('孙立新');

    // Now a petition naming "孙书记" (the 副书记, as villagers say it) is hidden from that handler.
    // A matter about the township commission's own member: it stays with the county (issue 16).
    const p = await submit('langli', accused('孙书记'));
    expect((await transition(s.url, token('officer1'), p.id, { action: 'refer', handlerId: userId('langli-handler') })).body).toMatchObject({
      error: { code: 'JURISDICTION' },
    });
    expect((await transition(s.url, token('officer1'), p.id, { action: 'refer' })).body).toMatchObject({ error: { code: 'JURISDICTION' } });
    expect(await listed('langli-handler')).not.toContain(p.id);
  });

  it('npm run users:link links, names and clears an account from the command line, audited', async () => {
    // The CLI opens the database itself: the embedded one only once this server has let go of it.
    await s.server.close();
    const env: NodeJS.ProcessEnv = { ...process.env, VJ_MODE: 'demo', DATA_DIR: s.dataDir, LOG_LEVEL: 'warn' };
    if (s.databaseUrl) env['DATABASE_URL'] = s.databaseUrl;
    else delete env['DATABASE_URL'];
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [path.join(REPO, 'signaling', 'dist', 'cli', 'link-user.js'), ...args], { env, encoding: 'utf8' });
    const cleared = cli('langli-handler', '--clear');
    expect(cleared.stderr).toBe('');
    expect(cleared.stdout).toContain('langli-handler: unlinked');
    expect(cli('langli-handler', '--name', '刘 建华').stdout).toContain('known by name 刘建华');
    expect(cli('langli-handler', 'LL-0004').stdout).toContain('linked to LL-0004 刘建华');
    const bad = cli('langli-handler', 'LL-9999');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('干部档案中没有这个人员编码');
    const list = cli('--list');
    expect(list.stdout.split('\n').find((l) => l.startsWith('langli-handler\t'))).toContain('LL-0004');

    const db = await openDatabase(
      loadConfig({ VJ_MODE: 'demo', DATA_DIR: s.dataDir, ...(s.databaseUrl ? { DATABASE_URL: s.databaseUrl } : {}) }),
      createLogger('test', 'error', () => {}),
    );
    try {
      const rows = await db.query<{ action: string; actor_id: string | null; details: Record<string, unknown> }>(
        `SELECT action, actor_id, details FROM audit_log WHERE object_id = $1 AND details->>'via' = 'cli' ORDER BY seq`,
        [userId('langli-handler')],
      );
      expect(rows.rows.map((r) => [r.action, r.details['link'], r.details['officialCode']])).toEqual([
        ['user.unlink', 'none', null],
        ['user.link', 'name', null],
        ['user.link', 'official', 'LL-0004'],
      ]);
      expect(rows.rows.every((r) => r.actor_id === null)).toBe(true);
    } finally {
      await db.close();
    }
    // Five cold starts of a CLI process, each opening the database (the embedded one loads for seconds).
  }, 300_000);
});
