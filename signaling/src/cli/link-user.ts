// Links a staff account to its person in the officials registry (清廉档案), for conflict-of-interest checks: a
// petition naming that person is then hidden from the account and cannot be referred to it. Audited.
// Usage:
//   npm run users:link -- <username> <人员编码>        link to a registry entry
//   npm run users:link -- <username> --name <姓名>     name only, until the registry is imported (it links then)
//   npm run users:link -- <username> --clear           remove the link
//   npm run users:link -- --list                       every account and its link
import { createLogger, type UserLinkBody } from '@vj/shared';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/db.js';
import { migrate } from '../db/migrate.js';
import { adminUserViews, linkUser } from '../registry/user-links.js';
import { loadOrCreateDemoSecrets } from '../security/demo-secrets.js';
import { loadSystemKeys } from '../security/system-keys.js';
import { loadMasterKeys } from '../server.js';

const USAGE = 'usage: npm run users:link -- <username> (<人员编码> | --name <姓名> | --clear) | --list';

function target(args: string[]): UserLinkBody {
  if (args[0] === '--clear' && args.length === 1) return { link: 'none' };
  if (args[0] === '--name' && args.length === 2 && args[1]!.trim()) return { link: 'name', personName: args[1]!.trim() };
  if (args.length === 1 && args[0] && !args[0].startsWith('--')) return { link: 'official', officialCode: args[0].trim() };
  throw new Error(USAGE);
}

async function main(): Promise<void> {
  const [username, ...rest] = process.argv.slice(2);
  if (!username) throw new Error(USAGE);
  const config = loadConfig();
  const log = createLogger('link-user', 'warn');
  const db = await openDatabase(config, log);
  try {
    await migrate(db, log);
    if (username === '--list') {
      for (const u of await adminUserViews(db)) {
        const link = u.official
          ? `${u.official.code} ${u.official.name}（${u.official.unitName ?? '—'} ${u.official.position}）`
          : u.personName
            ? `仅姓名：${u.personName}`
            : '未关联';
        console.log(`${u.username}\t${u.displayName}\t${link}`);
      }
      return;
    }
    const body = target(rest);
    // Every change is audited, and the audit chain is keyed: the keys come from the master key, as at start-up.
    const demo = config.demo && !config.masterKeys && !config.masterKeyFile ? loadOrCreateDemoSecrets(config.dataDir, []) : undefined;
    db.integrity = (await loadSystemKeys(db, loadMasterKeys(config, demo), log, { create: false })).keys;
    const found = await db.query<{ id: string }>('SELECT id FROM users WHERE username = $1', [username.trim()]);
    const user = found.rows[0];
    if (!user) throw new Error(`no account "${username}"`);
    const view = await linkUser(db, user.id, body, { actorId: null, actorRole: null, via: 'cli' });
    const now = view?.official
      ? `linked to ${view.official.code} ${view.official.name}`
      : view?.personName
        ? `known by name ${view.personName} (linked when the registry lists it)`
        : 'unlinked';
    console.log(`${username}: ${now}`);
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
