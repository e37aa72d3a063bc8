// Verifies the keyed audit chain against the signed checkpoints under DATA_DIR and reports the first broken link.
// Usage: npm run audit:verify [-- --anchor <seq>:<hex hash>]   (exit 0 intact, 2 broken, 1 could not run)
// Needs the same DATA_DIR, database and master keys as the server: the chain's key is wrapped by the master key.
import { createLogger } from '@vj/shared';
import { AuditCheckpoints } from '../audit/checkpoints.js';
import { verifyAuditChain } from '../audit/verify.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/db.js';
import { loadMasterKeys } from '../server.js';
import { loadDemoSecretsIfAny } from '../security/demo-secrets.js';
import { loadSystemKeys } from '../security/system-keys.js';

async function main(): Promise<void> {
  const i = process.argv.indexOf('--anchor');
  const spec = i > 0 ? process.argv[i + 1] : undefined;
  const anchor = spec ? { seq: spec.split(':')[0]!, hash: spec.split(':')[1] ?? '' } : undefined;
  const config = loadConfig();
  const log = createLogger('audit-verify', 'warn');
  const master = loadMasterKeys(config, loadDemoSecretsIfAny(config));
  const db = await openDatabase(config, log);
  try {
    const { keys } = await loadSystemKeys(db, master, log, { create: false });
    const checkpoints = new AuditCheckpoints(config.dataDir, keys, log);
    const { valid, forged } = await checkpoints.read();
    const r = await verifyAuditChain(db, { keys, anchor, checkpoints: valid });
    if (forged) console.log(`WARNING: ${forged} checkpoint line(s) in ${checkpoints.file} fail their signature and were ignored`);
    if (r.ok && !forged) {
      console.log(`audit chain intact: ${r.rows} rows; head ${r.head ? `${r.head.seq}:${r.head.hash}` : '(empty)'}`);
      console.log(
        r.checkpoint
          ? `held against ${valid.length} signed checkpoint(s), newest at seq ${r.checkpoint.seq} (${r.checkpoint.at})`
          : 'no checkpoint yet: rows cut from the end cannot be detected until the server has written one',
      );
    } else if (!r.ok) {
      console.log(`AUDIT CHAIN BROKEN at seq ${r.firstBroken!.seq}: ${r.firstBroken!.problem} (${r.rows} rows verified before it)`);
      process.exitCode = 2;
    } else {
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
