import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccusedJurisdictionBody, JURISDICTION_BAR_TEXT, type ManagementLevel, type TownshipStanding } from '@vj/shared';
import { IntegrityKeys, migrate, type Db } from '@vj/signaling';
import { verifyAuditChain } from '../../signaling/src/audit/verify.js';
import { CaseService } from '../../signaling/src/cases/case-service.js';
import { setAccusedJurisdiction } from '../../signaling/src/cases/jurisdiction.js';
import { MIGRATIONS_DIR } from '../../signaling/src/db/migrate.js';
import { seedDemoRegistry } from '../../signaling/src/db/seed.js';
import { PetitionService } from '../../signaling/src/petitions/petition-service.js';
import { RegistryImporter } from '../../signaling/src/registry/importer.js';
import { MasterKeys } from '../../signaling/src/security/crypto.js';
import type { Claims } from '../../signaling/src/security/jwt.js';
import { backends, migrated, quietLog } from '../helpers/backends.js';
import { seededClaims } from '../helpers/claims.js';
import { caseSnapshot, petitionBody } from '../helpers/fixtures.js';

type Input = Parameters<PetitionService['submit']>[1];
interface Person {
  name?: string;
  unit?: string;
  position?: string;
  townshipCode?: string | null;
  officialCode?: string | null;
  managementLevel?: ManagementLevel;
  standing?: TownshipStanding;
}
const person = (p: Person) => ({ name: '李某某', unit: '', position: '', townshipCode: null, officialCode: null, ...p });

describe.each(backends)('jurisdiction by management level (分级负责) on $name', (backend) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  const who = {} as Record<'officer1' | 'supervisor' | 'xingsha-handler', Claims>;
  let petitions: PetitionService;
  let cases: CaseService;
  const now = new Date('2026-11-02T09:00:00+08:00');
  /** The case row, its steps, the audit count, and its accused rows: equal before and after a refusal. */
  const snapshot = async (id: string) =>
    `${await caseSnapshot(db, id)}|${JSON.stringify((await db.query('SELECT * FROM petition_accused WHERE petition_id = $1 ORDER BY ord', [id])).rows)}`;

  beforeAll(async () => {
    ({ db, cleanup } = await migrated(backend));
    Object.assign(who, await seededClaims(db, ['officer1', 'supervisor', 'xingsha-handler'] as const));
    await seedDemoRegistry(db);
    petitions = new PetitionService(db, MasterKeys.parse(MasterKeys.generateSpec(1)), { now: () => now });
    cases = new CaseService(db, () => now);
  });
  afterAll(async () => cleanup?.());

  const file = async (accused: Person[], township = 'xingsha') =>
    (await petitions.submit(who.officer1, petitionBody(township, null, { accused: accused.map(person) }) as Input)).petitionId;
  const refer = (as: Claims, id: string, over: Record<string, unknown> = {}) =>
    cases.transition(as, id, { stepId: randomUUID(), action: 'refer', handlerId: null, overrideReason: null, ...over } as never);
  const codeOf = async (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (e: { code?: string; message?: string }) => `${e.code}:${e.message}`,
    );
  const accusedRows = async (id: string) =>
    (
      await db.query<{ management_level: string; standing: string }>(
        'SELECT management_level, standing FROM petition_accused WHERE petition_id = $1 ORDER BY ord',
        [id],
      )
    ).rows.map((r) => `${r.management_level}/${r.standing}`);

  /** Refused with JURISDICTION and `bar`'s words, by an officer and by a supervisor with a reason; nothing changed. */
  async function refusedDown(id: string, bar: keyof typeof JURISDICTION_BAR_TEXT) {
    const before = await snapshot(id);
    expect(await codeOf(refer(who.officer1, id))).toBe(`JURISDICTION:${JURISDICTION_BAR_TEXT[bar]}`);
    // No override: a supervisor's reason does not lift it.
    expect(await codeOf(refer(who.supervisor, id, { overrideReason: '确需由乡镇办理，主任同意' }))).toBe(`JURISDICTION:${JURISDICTION_BAR_TEXT[bar]}`);
    expect(await codeOf(refer(who.supervisor, id, { overrideReason: '确需由乡镇办理，主任同意', handlerId: who['xingsha-handler'].sub }))).toBe(
      `JURISDICTION:${JURISDICTION_BAR_TEXT[bar]}`,
    );
    expect(await snapshot(id)).toBe(before);
  }

  it('a village cadre’s matter goes down; one about a 县管干部 stays with the county, whoever asks and whatever the reason', async () => {
    const village = await file([{ managementLevel: 'village_cadre', position: '村主任' }]);
    expect((await refer(who.officer1, village)).status).toBe('referred');

    const county = await file([{ name: '赵某某', managementLevel: 'county_managed', position: '副县长' }]);
    await refusedDown(county, 'county_managed');
    // One 县管干部 among village cadres keeps the whole matter with the county.
    const mixed = await file([{ managementLevel: 'village_cadre' }, { name: '钱某某', managementLevel: 'county_managed' }]);
    await refusedDown(mixed, 'county_managed');
    // The county handles it itself: accepting is unaffected.
    expect((await cases.transition(who.officer1, county, { stepId: randomUUID(), action: 'accept' } as never)).status).toBe('accepted');
    await refusedDown(county, 'county_managed');
  });

  it('a township’s principal leaders and its own commission never go to that township; they may go to another', async () => {
    const leader = await file([{ name: '孙某某', managementLevel: 'township_cadre', standing: 'principal_leader', townshipCode: 'xingsha' }]);
    await refusedDown(leader, 'township_leadership');
    // A person with no township given is taken to serve in the receiving one.
    const commission = await file([{ name: '周某某', managementLevel: 'township_cadre', standing: 'commission' }]);
    await refusedDown(commission, 'township_leadership');
    // Another township's leader: not this township's conflict.
    const elsewhere = await file([{ name: '吴某某', managementLevel: 'township_cadre', standing: 'principal_leader', townshipCode: 'langli' }]);
    expect((await refer(who.officer1, elsewhere)).status).toBe('referred');
    // The most serious reason is the one said.
    const both = await file([{ name: '郑某某', managementLevel: 'county_managed', standing: 'principal_leader', townshipCode: 'xingsha' }]);
    await refusedDown(both, 'county_managed');
  });

  it('another cadre of the township keeps today’s rule: refused, then a supervisor may override with a reason, audited', async () => {
    const id = await file([{ name: '王某某', managementLevel: 'township_cadre', standing: 'none', townshipCode: 'xingsha', position: '城建办科员' }]);
    const before = await snapshot(id);
    expect(await codeOf(refer(who.officer1, id))).toMatch(/^CONFLICT_OF_INTEREST:/);
    expect(await codeOf(refer(who.officer1, id, { overrideReason: '与被反映人无隶属关系' }))).toMatch(/^FORBIDDEN:/);
    expect(await snapshot(id)).toBe(before);
    expect((await refer(who.supervisor, id, { overrideReason: '与被反映人无隶属关系' })).status).toBe('referred');
    const audit = await db.query<{ details: Record<string, unknown> }>(`SELECT details FROM audit_log WHERE action = 'case.refer' AND object_id = $1`, [id]);
    expect(audit.rows[0]!.details).toMatchObject({ coiOverride: true, conflicts: 'accused_in_township' });
  });

  it('a registry-linked person with no township entered counts as of the registry’s township for the conflict rule', async () => {
    // 王建国 (XS-0001) serves in xingsha's 城建办 by the registry; the officer typed no township.
    const id = await file([{ name: '王建国', officialCode: 'XS-0001', townshipCode: null, managementLevel: 'township_cadre' }]);
    const before = await snapshot(id);
    expect(await codeOf(refer(who.officer1, id))).toMatch(/^CONFLICT_OF_INTEREST:/);
    expect(await snapshot(id)).toBe(before);
    // To another township it goes: the conflict was the registry's township.
    const elsewhere = await file([{ name: '王建国', officialCode: 'XS-0001', townshipCode: null, managementLevel: 'township_cadre' }], 'langli');
    expect((await refer(who.officer1, elsewhere)).status).toBe('referred');
  });

  it('returning a result to the township reads the rule again: an accused made a 县管干部 since the referral keeps it with the county', async () => {
    await db.query(
      `INSERT INTO officials (code, name, position, township_code, management_level) VALUES ('T-RET-1', '韩某某', '村委委员', 'langli', 'village_cadre') ON CONFLICT (code) DO NOTHING`,
    );
    const id = await file([{ name: '韩某某', officialCode: 'T-RET-1', townshipCode: null, managementLevel: 'village_cadre' }]);
    expect((await refer(who.officer1, id)).status).toBe('referred');
    const h = who['xingsha-handler'];
    await cases.transition(h, id, { stepId: randomUUID(), action: 'township_accept', text: '' } as never);
    expect(
      (await cases.transition(h, id, { stepId: randomUUID(), action: 'report', text: '经核查，反映问题部分属实', attachmentIds: [] } as never)).status,
    ).toBe('reported');
    // The personnel system's next import says 县管干部 (e.g. promoted).
    await db.query(`UPDATE officials SET management_level = 'county_managed' WHERE code = 'T-RET-1'`);
    const before = await snapshot(id);
    expect(await codeOf(cases.transition(who.supervisor, id, { stepId: randomUUID(), action: 'return', text: '请补充调查' } as never))).toBe(
      `JURISDICTION:${JURISDICTION_BAR_TEXT.county_managed}`,
    );
    expect(await snapshot(id)).toBe(before);
    // Back at its old level, the same return goes through: the refusal was the rule's.
    await db.query(`UPDATE officials SET management_level = 'village_cadre' WHERE code = 'T-RET-1'`);
    expect((await cases.transition(who.supervisor, id, { stepId: randomUUID(), action: 'return', text: '请补充调查' } as never)).status).toBe('returned');
  });

  it('an unconfirmed level goes nowhere until the county confirms it; the confirmation and its audit row commit together', async () => {
    const id = await file([{ managementLevel: 'village_cadre' }, { name: '冯某某' }]);
    expect(await accusedRows(id)).toEqual(['village_cadre/none', 'unknown/none']);
    await refusedDown(id, 'level_unknown');

    const audits = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM audit_log')).rows[0]!.n);
    await db.tx((q) =>
      setAccusedJurisdiction(
        q,
        who.officer1,
        id,
        AccusedJurisdictionBody.parse({ accused: [{ index: 1, managementLevel: 'village_cadre', standing: 'none' }] }),
        now,
      ),
    );
    expect(await accusedRows(id)).toEqual(['village_cadre/none', 'village_cadre/none']);
    const audit = await db.query<{ action: string; details: Record<string, unknown>; seq: string }>(
      'SELECT action, details, seq FROM audit_log ORDER BY seq DESC LIMIT 1',
    );
    expect(Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM audit_log')).rows[0]!.n)).toBe(audits + 1);
    expect(audit.rows[0]).toMatchObject({
      action: 'case.accused_jurisdiction',
      details: { positions: '2', managementLevels: 'village_cadre', managementLevelsWere: 'unknown', standings: 'no_standing' },
    });
    // The audit row names nobody.
    expect(JSON.stringify(audit.rows[0]!.details)).not.toContain('冯某某');
    // Confirming the same again changes nothing and writes nothing.
    const same = await snapshot(id);
    await db.tx((q) =>
      setAccusedJurisdiction(
        q,
        who.officer1,
        id,
        AccusedJurisdictionBody.parse({ accused: [{ index: 1, managementLevel: 'village_cadre', standing: 'none' }] }),
        now,
      ),
    );
    expect(await snapshot(id)).toBe(same);

    expect((await refer(who.officer1, id)).status).toBe('referred');
    // Once sent down, the levels are the record of that decision: refused, nothing changed.
    const sent = await snapshot(id);
    expect(
      await codeOf(
        db.tx((q) =>
          setAccusedJurisdiction(
            q,
            who.officer1,
            id,
            AccusedJurisdictionBody.parse({ accused: [{ index: 0, managementLevel: 'county_managed', standing: 'none' }] }),
            now,
          ),
        ),
      ),
    ).toMatch(/^INVALID_STATE:/);
    expect(await snapshot(id)).toBe(sent);
    // Nobody who is not there.
    const other = await file([{ name: '褚某某' }]);
    const o = await snapshot(other);
    expect(
      await codeOf(
        db.tx((q) =>
          setAccusedJurisdiction(
            q,
            who.officer1,
            other,
            AccusedJurisdictionBody.parse({ accused: [{ index: 3, managementLevel: 'village_cadre', standing: 'none' }] }),
            now,
          ),
        ),
      ),
    ).toMatch(/^BAD_REQUEST:/);
    expect(await snapshot(other)).toBe(o);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('a person matched to the registry takes its level and the standing its position gives; the officer cannot change them', async () => {
    // 孙立平: 星沙街道党工委 书记, 县管干部 in the demo registry (matched by name and unit). The officer's "village cadre" loses.
    const secretary = await file([{ name: '孙立平', unit: '星沙街道党工委', managementLevel: 'village_cadre' }]);
    expect(await accusedRows(secretary)).toEqual(['county_managed/principal_leader']);
    await refusedDown(secretary, 'county_managed');
    const before = await snapshot(secretary);
    expect(
      await codeOf(
        db.tx((q) =>
          setAccusedJurisdiction(
            q,
            who.officer1,
            secretary,
            AccusedJurisdictionBody.parse({ accused: [{ index: 0, managementLevel: 'village_cadre', standing: 'principal_leader' }] }),
            now,
          ),
        ),
      ),
    ).toMatch(/^BAD_REQUEST:.*以档案为准/);
    expect(await snapshot(secretary)).toBe(before);

    // 陈志明: 星沙街道纪工委 干事 (XS-0004), the township's own commission, picked by code.
    const commission = await file([{ name: '陈志明', officialCode: 'XS-0004', managementLevel: 'township_cadre' }]);
    expect(await accusedRows(commission)).toEqual(['township_cadre/commission']);
    await refusedDown(commission, 'township_leadership');
    // 陈干事: how a villager names xingsha's handler (陈志明, 干事, linked to XS-0004). A township handler is its 纪（工）委:
    // the conflict rule's matching makes the matter one about xingsha's own commission, which may go to langli.
    const nickname = await file([{ name: '陈干事', managementLevel: 'township_cadre' }]);
    expect(await accusedRows(nickname)).toEqual(['township_cadre/none']);
    await refusedDown(nickname, 'township_leadership');
    const nicknameElsewhere = await file([{ name: '陈干事', managementLevel: 'township_cadre' }], 'langli');
    expect((await refer(who.officer1, nicknameElsewhere)).status).toBe('referred');
    // 李德明: 松雅社区 党委书记 — a community's secretary is a village cadre, not the township's leader.
    const community = await file([{ name: '李德明', officialCode: 'XS-0003' }]);
    expect(await accusedRows(community)).toEqual(['village_cadre/none']);
    // 何文涛: 春华镇 镇长, principal leader of chunhua: a matter about him never goes to chunhua; to xingsha it may.
    const mayor = await file([{ name: '何文涛', officialCode: 'CH-0002' }], 'chunhua');
    expect(await accusedRows(mayor)).toEqual(['township_cadre/principal_leader']);
    await refusedDown(mayor, 'township_leadership');
    const mayorElsewhere = await file([{ name: '何文涛', officialCode: 'CH-0002' }], 'xingsha');
    expect((await refer(who.officer1, mayorElsewhere)).status).toBe('referred');

    // A later import that gives a linked person a level reaches the rule at once (the registry is read at referral).
    const linked = await file([{ name: '黄伟', officialCode: 'CH-0001' }], 'chunhua');
    await db.query(`UPDATE officials SET management_level = 'county_managed' WHERE code = 'CH-0001'`);
    try {
      await refusedDown(linked, 'county_managed');
    } finally {
      await db.query(`UPDATE officials SET management_level = 'township_cadre' WHERE code = 'CH-0001'`);
    }
  });

  it('the registry import takes 管理层级 by its label or code, refuses anything else per row, and a file without the column keeps the levels', async () => {
    const importer = new RegistryImporter(
      db,
      new Map([
        ['xingsha', 'xingsha'],
        ['langli', 'langli'],
      ]),
      quietLog,
    );
    const run = async (csv: string) => {
      const { view, done } = await importer.start(who.supervisor, 'officials', Buffer.from(csv));
      await done;
      return importer.view(view.id);
    };
    const first = await run(
      [
        '人员编码,姓名,单位编码,单位名称,职务,乡镇,管理层级',
        'JX-1,甲某,JX-U1,星沙街道党工委,党工委书记,xingsha,县管干部',
        'JX-2,乙某,JX-U2,星沙街道纪工委,委员,xingsha,township_cadre',
        'JX-3,丙某,JX-U3,星沙街道某村村委会,主任,xingsha,',
        'JX-4,丁某,JX-U3,星沙街道某村村委会,会计,xingsha,处级干部',
      ].join('\n'),
    );
    expect(first).toMatchObject({ status: 'done', importedRows: 3, errorCount: 1 });
    expect(first.errors).toEqual([{ line: 5, message: '管理层级应为县管干部、乡镇干部、村干部或留空' }]);
    const levels = async () =>
      (
        await db.query<{ code: string; management_level: string; standing: string }>(
          `SELECT code, management_level, standing FROM officials WHERE code LIKE 'JX-%' ORDER BY code`,
        )
      ).rows.map((o) => `${o.code}:${o.management_level}/${o.standing}`);
    expect(await levels()).toEqual(['JX-1:county_managed/principal_leader', 'JX-2:township_cadre/commission', 'JX-3:unknown/none']);
    // The older export, without 管理层级: positions change, levels stay.
    const second = await run(['人员编码,姓名,单位编码,单位名称,职务,乡镇', 'JX-1,甲某,JX-U1,星沙街道党工委,党工委副书记,xingsha'].join('\n'));
    expect(second).toMatchObject({ status: 'done', importedRows: 1, errorCount: 0 });
    expect(await levels()).toEqual(['JX-1:county_managed/none', 'JX-2:township_cadre/commission', 'JX-3:unknown/none']);
  });

  it('reads standing from registry titles: leaders and commissions, not deputies or villages', async () => {
    const titles: [string, string, string][] = [
      ['党委书记', '春华镇党委', 'principal_leader'],
      ['书记', '春华镇党委', 'principal_leader'],
      ['镇长', '春华镇人民政府', 'principal_leader'],
      ['乡长', '某乡人民政府', 'principal_leader'],
      ['主任', '星沙街道办事处', 'principal_leader'],
      ['党工委书记', '星沙街道党工委', 'principal_leader'],
      ['副镇长', '春华镇人民政府', 'none'],
      ['党委副书记', '春华镇党委', 'none'],
      ['党委书记', '星沙街道松雅社区', 'none'],
      ['村党支部书记', '春华镇某村村委会', 'none'],
      ['干事', '星沙街道纪工委', 'commission'],
      ['纪委书记', '春华镇党委', 'commission'],
      ['主任', '星沙街道城建办', 'none'],
    ];
    for (const [position, unit, want] of titles) {
      const r = await db.query<{ s: string }>('SELECT vj_official_standing($1, $2) AS s', [position, unit]);
      expect(`${unit} ${position}: ${r.rows[0]!.s}`).toBe(`${unit} ${position}: ${want}`);
    }
  });
});

/** The migrations before `version`, in a folder of their own: an install as it stood before levels. */
function migrationsBefore(version: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vj-migrations-'));
  for (const f of fs.readdirSync(MIGRATIONS_DIR))
    if (/^\d{4}_/.test(f) && f.slice(0, 4) < version) fs.copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(dir, f));
  return dir;
}

describe.each(backends)('existing accused persons migrate to 未确定, with the registry’s standing where linked, on $name', (backend) => {
  it('every accused row becomes unknown; a linked one takes the standing its registry position gives; referrals made stand', async () => {
    const { db, cleanup } = await backend.open();
    const dir = migrationsBefore('0022');
    try {
      await migrate(db, quietLog, dir);
      db.integrity = IntegrityKeys.ephemeral();
      const who = await seededClaims(db, ['officer1'] as const);
      await db.query(`INSERT INTO org_units (code, name, township_code) VALUES ('U1', '星沙街道纪工委', 'xingsha'), ('U2', '星沙街道城建办', 'xingsha')`);
      await db.query(
        `INSERT INTO officials (code, name, unit_code, position, township_code) VALUES ('O1', '陈某', 'U1', '干事', 'xingsha'), ('O2', '王某', 'U2', '主任', 'xingsha')`,
      );
      const id = randomUUID();
      await db.query(
        `INSERT INTO petitions (id, case_code, pin_hash, request_digest, township_code, category, narrative, anonymous, created_by, status, handler_side, decided_at, accept_due_at, conclude_due_at, route, clock_rules)
         VALUES ($1, '0000000022', 'x', 'x', 'xingsha', '工作作风', '迁移前的信访件', true, $2, 'referred', 'township', now(), now(), now() + interval '60 days', 'jiaoban', 1)`,
        [id, who.officer1.sub],
      );
      await db.query(
        `INSERT INTO petition_accused (id, petition_id, ord, name, unit, position, township_code, official_code)
         VALUES (gen_random_uuid(), $1, 0, '陈某', '星沙街道纪工委', '干事', NULL, 'O1'), (gen_random_uuid(), $1, 1, '王某', '', '主任', NULL, 'O2'), (gen_random_uuid(), $1, 2, '李某', '', '', NULL, NULL)`,
        [id],
      );
      await migrate(db, quietLog);
      const rows = await db.query<{ management_level: string; standing: string }>(
        'SELECT management_level, standing FROM petition_accused WHERE petition_id = $1 ORDER BY ord',
        [id],
      );
      expect(rows.rows.map((r) => `${r.management_level}/${r.standing}`)).toEqual(['unknown/commission', 'unknown/none', 'unknown/none']);
      const officials = await db.query<{ code: string; management_level: string; standing: string }>(
        'SELECT code, management_level, standing FROM officials ORDER BY code',
      );
      expect(officials.rows.map((o) => `${o.code}:${o.management_level}/${o.standing}`)).toEqual(['O1:unknown/commission', 'O2:unknown/none']);
      // The referral already made is not undone.
      expect((await db.query<{ status: string }>('SELECT status FROM petitions WHERE id = $1', [id])).rows[0]!.status).toBe('referred');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      await cleanup();
    }
  });
});
