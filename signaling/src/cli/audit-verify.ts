// Verifies the audit hash chain and reports the first broken link.
// Usage: npm run audit:verify [-- --anchor <seq>:<hex hash>]   (exit 0 intact, 2 broken)
import { createLogger } from '@vj/shared';
import { verifyAuditChain } from '../audit/verify.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/db.js';

async function main(): Promise<void> {
  const i = process.argv.indexOf('--anchor');
  const spec = i > 0 ? process.argv[i + 1] : undefined;
  const anchor = spec ? { seq: spec.split(':')[0]!, hash: spec.split(':')[1] ?? '' } : undefined;
  const config = loadConfig();
  const db = await openDatabase(config, createLogger('audit-verify', 'warn'));
  try {
    const r = await verifyAuditChain(db, anchor);
    if (r.ok) {
      console.log(`audit chain intact: ${r.rows} rows; head ${r.head ? `${r.head.seq}:${r.head.hash}` : '(empty)'}`);
      console.log('Record the head somewhere else (a ticket, paper) and pass it as --anchor later to detect deleted tail rows.');
    } else {
      console.log(`AUDIT CHAIN BROKEN at seq ${r.firstBroken!.seq}: ${r.firstBroken!.problem} (${r.rows} rows verified before it)`);
      process.exitCode = 2;
    }
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
