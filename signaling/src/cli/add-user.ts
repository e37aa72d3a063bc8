// Creates a console account (there is no other way outside demo mode): the system administrator runs it on the
// server host and hands the one-time password over in person. The account must choose its own password at its
// first login and can do nothing else until then. Audited as user.create.
// Usage: npm run users:add -- <用户名> <显示名> <角色> [镇街代码 | 片区代码]
//   角色: county_officer county_supervisor county_leader case_reviewer conduct_office district_inspector district_leader
//         township_handler township_staff sys_admin sec_admin audit_admin
import { ROLES, isDistrictRole, passwordProblems } from '@vj/shared';
import { appendAudit } from '../audit/audit-log.js';
import { hashPassword, randomSecret } from '../security/crypto.js';
import { withKeyedDatabase } from './keyed-database.js';

const USAGE = `用法：npm run users:add -- <用户名> <显示名> <角色> [镇街代码 | 片区代码]\n角色：${ROLES.filter((r) => r !== 'kiosk').join(' ')}`;
const TOWNSHIP_ROLES = ['township_handler', 'township_staff'];

/** A one-time password the policy accepts: random, with every character class. */
function oneTimePassword(username: string): string {
  for (;;) {
    const p = `${randomSecret(12)}-Aa1`;
    if (passwordProblems(p, username).length === 0) return p;
  }
}

async function main(): Promise<void> {
  const [username, displayName, role, area] = process.argv.slice(2).map((a) => a.trim());
  if (!username || !displayName || !role || !(ROLES as readonly string[]).includes(role) || role === 'kiosk') throw new Error(USAGE);
  if (!/^[a-z0-9][a-z0-9._-]{1,39}$/.test(username)) throw new Error('用户名只能用小写字母、数字和 . _ -，2 到 40 个字符');
  // A township account belongs to one township, a 片区督查组 account to one 片区 (d1–d4); no other account to either.
  const township = TOWNSHIP_ROLES.includes(role) ? area : undefined;
  const district = isDistrictRole(role) ? area : undefined;
  if ((TOWNSHIP_ROLES.includes(role) || isDistrictRole(role)) !== Boolean(area))
    throw new Error('镇街角色须给出镇街代码，片区督查组须给出片区代码（d1–d4），其他角色都不能给');
  await withKeyedDatabase('add-user', async (db, config) => {
    const password = oneTimePassword(username);
    const hash = await hashPassword(password, config.cryptoSuite);
    const id = await db.tx(async (q) => {
      const taken = await q.query('SELECT 1 FROM users WHERE username = $1', [username]);
      if (taken.rowCount) throw new Error(`用户名 ${username} 已存在`);
      if (district && !(await q.query('SELECT 1 FROM districts WHERE code = $1', [district])).rowCount)
        throw new Error(`没有片区代码 ${district}（可用 d1–d4）`);
      const r = await q.query<{ id: string }>(
        `INSERT INTO users (id, username, display_name, role, township_code, district_code, password_hash, must_change_password) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, true) RETURNING id`,
        [username, displayName, role, township ?? null, district ?? null, hash],
      );
      const userId = r.rows[0]!.id;
      await appendAudit(q, {
        actorId: null,
        actorRole: null,
        action: 'user.create',
        objectType: 'user',
        objectId: userId,
        townshipCode: township ?? null,
        details: { role, via: 'cli' },
      });
      return userId;
    });
    console.log(`已创建账户 ${username}（${displayName}，${role}），编号 ${id}。`);
    console.log(`一次性密码（只显示这一次，请当面交给本人；首次登录须改为自己的密码）：${password}`);
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
