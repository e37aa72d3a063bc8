// Disables or enables an account on the server, with a stated reason, audited. The only way for the security and
// the audit administrators' accounts (三员分立: the system administrator cannot shut them out from the web); it
// works for any account. Disabling ends the account's login sessions; every request re-checks the account.
// Usage:
//   npm run users:disable -- <username> --reason <理由>
//   npm run users:disable -- <username> --enable --reason <理由>
import { setAccountDisabled } from '../admin/account-state.js';
import { AuthSessions } from '../auth/auth-sessions.js';
import { withKeyedDatabase } from './keyed-database.js';

const USAGE = 'usage: npm run users:disable -- <username> [--enable] --reason <理由（至少 5 个字）>';

/** The username, whether to enable, and the reason (at least five characters: it is what the auditor reads). */
export function disableArgs(args: readonly string[]): { username: string; enable: boolean; reason: string } {
  const rest = [...args];
  const username = rest.shift()?.trim();
  const enable = rest[0] === '--enable' ? Boolean(rest.shift()) : false;
  const reason = rest[0] === '--reason' && rest.length === 2 ? rest[1]!.trim() : '';
  if (!username || username.startsWith('--') || [...reason].length < 5) throw new Error(USAGE);
  return { username, enable, reason };
}

async function main(): Promise<void> {
  const { username, enable, reason } = disableArgs(process.argv.slice(2));
  await withKeyedDatabase('disable-user', async (db) => {
    const found = await db.query<{ id: string }>('SELECT id FROM users WHERE username = $1', [username]);
    const user = found.rows[0];
    if (!user) throw new Error(`no account "${username}"`);
    await setAccountDisabled(db, new AuthSessions(db), { cli: { reason } }, user.id, !enable);
    console.log(`${username}: ${enable ? 'enabled' : 'disabled, its login sessions ended'}`);
  });
}

if (process.argv[1]?.endsWith('disable-user.js')) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
