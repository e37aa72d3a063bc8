import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { MANAGEMENT_LEVEL_LABELS, MANAGEMENT_LEVELS, RoomCode, sanctionOf, SECOND_FACTOR_ALWAYS, type Role } from '@vj/shared';
import type { SecondFactor } from '../auth/second-factor.js';
import { DISTRICT_OF_TOWNSHIP } from '../discipline/synthetic-county.js';
import { parseCsv } from '../registry/csv.js';
import { DEFAULT_SUITE, digestSecret, hashPassword, type SuiteId } from '../security/crypto.js';
import type { Db, Queryable } from './db.js';

export const DEFAULT_ROOMS_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'seed', 'townships.json');

const RoomsFile = z.object({
  county: z.string().min(1),
  rooms: z
    .array(z.object({ code: RoomCode, name: z.string().min(1).max(40), kind: z.string().min(1).max(10) }))
    .min(1)
    .max(5000),
});
export type RoomsFile = z.infer<typeof RoomsFile>;

export function loadRooms(file = DEFAULT_ROOMS_FILE): RoomsFile {
  const parsed = RoomsFile.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`rooms file ${file} is invalid: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  const codes = new Set(parsed.data.rooms.map((r) => r.code));
  if (codes.size !== parsed.data.rooms.length) throw new Error(`rooms file ${file} repeats a room code`);
  return parsed.data;
}

/** Upserts the configured rooms; rooms no longer listed stay in the database (history) but go inactive. */
export async function syncRooms(db: Db, rooms: RoomsFile['rooms']): Promise<void> {
  await db.tx(async (q) => {
    for (const [i, r] of rooms.entries()) {
      await q.query(
        `INSERT INTO rooms (code, name, kind, sort_order, active) VALUES ($1, $2, $3, $4, true)
         ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, sort_order = EXCLUDED.sort_order, active = true`,
        [r.code, r.name, r.kind, i],
      );
    }
    await q.query('UPDATE rooms SET active = false WHERE NOT (code = ANY($1::text[]))', [rooms.map((r) => r.code)]);
  });
}

export interface DemoUser {
  username: string;
  password: string;
  displayName: string;
  role: Exclude<Role, 'kiosk'>;
  townshipCode?: string;
  /** Their entry in the demo officials registry (seed/demo-officials.csv): the conflict-of-interest link. */
  officialCode?: string;
  /** 片区督查组 accounts: their 片区 (migration 0027). */
  districtCode?: string;
}

export const DEMO_USERS: DemoUser[] = [
  { username: 'officer1', password: 'officer1-demo', displayName: '县纪委监委信访室 王干事', role: 'county_officer' },
  { username: 'officer2', password: 'officer2-demo', displayName: '县纪委监委信访室 李干事', role: 'county_officer' },
  // Linked, as a supervisor must be to send up a sealed matter that names every leader (cases/sealed.ts).
  { username: 'supervisor', password: 'supervisor-demo', displayName: '县纪委监委信访室 赵主任', role: 'county_supervisor', officialCode: 'XJW-0002' },
  // 县纪委监委主要负责人: reads only the sealed matters (those about the commission's own leadership).
  // Linked to their registry entry like every reader of sealed matters must be (an unlinked leader reads none).
  { username: 'leader1', password: 'leader1-demo', displayName: '县纪委监委 主要负责人', role: 'county_leader', officialCode: 'XJW-0001' },
  // 受处分人员信息查询 and 清廉档案 (issue 17).
  { username: 'reviewer1', password: 'reviewer1-demo', displayName: '县纪委监委审理室 孟干事', role: 'case_reviewer' },
  { username: 'conduct1', password: 'conduct1-demo', displayName: '县纪委监委党风政风监督室 邱干事', role: 'conduct_office' },
  { username: 'district1-leader', password: 'district1-leader-demo', displayName: '第一片区督查组 组长', role: 'district_leader', districtCode: 'd1' },
  // A member enters a key official's month; the leader signs it off (never their own entry).
  { username: 'district1-inspector', password: 'district1-inspector-demo', displayName: '第一片区督查组 组员', role: 'district_inspector', districtCode: 'd1' },
  { username: 'district2-inspector', password: 'district2-inspector-demo', displayName: '第二片区督查组 组员', role: 'district_inspector', districtCode: 'd2' },
  { username: 'district3-inspector', password: 'district3-inspector-demo', displayName: '第三片区督查组 组员', role: 'district_inspector', districtCode: 'd3' },
  { username: 'district4-inspector', password: 'district4-inspector-demo', displayName: '第四片区督查组 组员', role: 'district_inspector', districtCode: 'd4' },
  {
    username: 'xingsha-handler',
    password: 'xingsha-handler-demo',
    displayName: '星沙街道纪工委 陈干事',
    role: 'township_handler',
    townshipCode: 'xingsha',
    officialCode: 'XS-0004',
  },
  {
    username: 'langli-handler',
    password: 'langli-handler-demo',
    displayName: '榔梨街道纪工委 刘干事',
    role: 'township_handler',
    townshipCode: 'langli',
    officialCode: 'LL-0004',
  },
  {
    username: 'xingsha-staff',
    password: 'xingsha-staff-demo',
    displayName: '星沙街道来访接待室 周接待员',
    role: 'township_staff',
    townshipCode: 'xingsha',
    officialCode: 'XS-0005',
  },
  // 三员分立: one account per administrator role.
  { username: 'admin', password: 'admin-demo', displayName: '系统管理员', role: 'sys_admin' },
  { username: 'secadmin', password: 'secadmin-demo', displayName: '安全管理员', role: 'sec_admin' },
  { username: 'auditor', password: 'auditor-demo', displayName: '审计管理员', role: 'audit_admin' },
];

/** Demo mode only: creates the demo logins (fixed ids so a restart keeps them) if they are missing. */
export async function seedDemoUsers(db: Db, users = DEMO_USERS, suite: SuiteId = DEFAULT_SUITE): Promise<void> {
  for (const u of users) {
    const exists = await db.query('SELECT 1 FROM users WHERE username = $1', [u.username]);
    if (exists.rowCount) continue;
    // A 片区 account carries its 片区 (migration 0027); the others are written as before it, so a test that seeds an
    // older schema still can.
    if (u.districtCode) {
      await db.query(`INSERT INTO users (id, username, display_name, role, district_code, password_hash) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5)`, [
        u.username,
        u.displayName,
        u.role,
        u.districtCode,
        await hashPassword(u.password, suite),
      ]);
      continue;
    }
    await db.query(`INSERT INTO users (id, username, display_name, role, township_code, password_hash) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5)`, [
      u.username,
      u.displayName,
      u.role,
      u.townshipCode ?? null,
      await hashPassword(u.password, suite),
    ]);
  }
}

/** Registers a kiosk credential "<deviceId>.<secret>" for a room (idempotent for the same credential). */
export async function registerKioskDevice(db: Db, roomCode: string, credential: string, label = ''): Promise<string> {
  const [deviceId, secret] = credential.split('.') as [string, string];
  await db.query(
    `INSERT INTO kiosk_devices (id, room_code, secret_hash, label) VALUES ($1, $2, $3, $4)
     ON CONFLICT (id) DO NOTHING`,
    [deviceId, roomCode, digestSecret(secret), label],
  );
  return deviceId;
}

const SEED_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'seed');

/**
 * Demo mode only: a small officials registry and discipline records (the same CSV files the import page takes),
 * so the cross-reference on a case page has something to show. Existing rows are left as they are.
 */
export async function seedDemoRegistry(db: Db): Promise<void> {
  const rows = (file: string) =>
    parseCsv(fs.readFileSync(path.join(SEED_DIR, file), 'utf8'))
      .slice(1)
      .map((r) => r.fields);
  await db.tx(async (q) => {
    for (const [code, name, unitCode, unitName, position, township, level, rank, key] of rows('demo-officials.csv')) {
      // Each unit in the 片区 that covers its township (the synthetic county's division), for the 督查组 scoping. A
      // county body (the commission's own leadership) has no township: the file leaves the column empty.
      await q.query(
        `INSERT INTO org_units (code, name, township_code, district_code) VALUES ($1, $2, NULLIF($3, ''), $4) ON CONFLICT (code) DO UPDATE SET district_code = coalesce(org_units.district_code, excluded.district_code)`,
        [unitCode, unitName, township, DISTRICT_OF_TOWNSHIP[township ?? ''] ?? null],
      );
      // 管理层级 by its Chinese label, as the import page takes it; the standing read from position and unit (0022).
      await q.query(
        // 职级 and 关键少数 (清廉档案) reach a demo database made before the file had them (its rows have no 职级 yet);
        // a row that has one, imported or set since, is left as it is.
        `INSERT INTO officials (code, name, unit_code, position, township_code, management_level, standing, rank, key_official)
         VALUES ($1, $2, $3, $4, NULLIF($5, ''), $6, vj_official_standing($4, $7), $8, $9)
         ON CONFLICT (code) DO UPDATE SET rank = excluded.rank, key_official = excluded.key_official WHERE officials.rank = ''`,
        [
          code,
          name,
          unitCode,
          position,
          township,
          MANAGEMENT_LEVELS.find((l) => MANAGEMENT_LEVEL_LABELS[l] === level) ?? 'unknown',
          unitName,
          rank ?? '',
          key === '是',
        ],
      );
    }
    for (const [id, official, date, kind, reason, authority] of rows('demo-discipline.csv')) {
      await q.query(
        'INSERT INTO discipline_records (id, official_code, decided_on, kind, reason, authority, sanction) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING',
        [id, official, date, kind, reason, authority, sanctionOf(kind ?? '') ?? null],
      );
    }
    await linkDemoUsers(q);
  });
}

/**
 * The demo township staff are people in the demo registry, linked as an admin would link them, so a petition
 * naming "陈志明" or "陈干事" is hidden from xingsha-handler out of the box. Only an account never linked or
 * unlinked by anyone (no audit row says so) is linked: an admin's unlink survives a restart.
 */
async function linkDemoUsers(q: Queryable): Promise<void> {
  for (const u of DEMO_USERS) {
    if (!u.officialCode) continue;
    await q.query(
      `UPDATE users SET official_code = o.code, person_name = vj_name_key(o.name) FROM officials o
       WHERE o.code = $2 AND users.username = $1 AND users.official_code IS NULL AND users.person_name IS NULL
         AND NOT EXISTS (SELECT 1 FROM audit_log WHERE object_type = 'user' AND object_id = users.id::text AND action IN ('user.link', 'user.unlink'))`,
      [u.username, u.officialCode],
    );
  }
}

/**
 * Demo mode: the demo accounts whose role needs a second factor are enrolled with the printed demo secret, so a
 * new user can sign in with any authenticator app. An account whose factor the security administrator reset
 * stays reset (an audit row says so).
 */
export async function enrolDemoSecondFactor(db: Db, secondFactor: SecondFactor, secretBase32: string): Promise<void> {
  const r = await db.query<{ id: string }>(
    `SELECT id FROM users u WHERE username = ANY($1::text[]) AND role = ANY($2::text[])
       AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.object_type = 'user' AND a.object_id = u.id::text AND a.action = 'security.second_factor_reset')`,
    [DEMO_USERS.map((u) => u.username), SECOND_FACTOR_ALWAYS],
  );
  for (const u of r.rows) await secondFactor.enrolDemo(u.id, secretBase32);
}
