// Re-wraps every data key and system key under the newest master key version and the configured suite
// (CRYPTO_SUITE), then re-seals petitions' identity, evidence, seals and PIN verifiers, and closed recordings
// (segments and their chain), to that suite. Add the new
// key first (VJ_MASTER_KEYS "1:old,2:new"), run this, then remove the old version once it reports nothing left
// under it. Safe to re-run; every batch is audited.
import path from 'node:path';
import { createLogger } from '@vj/shared';
import { rewrapDataKeys } from '../security/rotate-keys.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/db.js';
import { loadDemoSecretsIfAny } from '../security/demo-secrets.js';
import { loadSystemKeys } from '../security/system-keys.js';
import { resealPetitions } from '../petitions/reseal.js';
import { SegmentStore } from '../recording/segment-store.js';
import { resealRecordings } from '../recording/reseal.js';
import { loadMasterKeys } from '../server.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('rotate-keys', 'warn');
  const master = loadMasterKeys(config, loadDemoSecretsIfAny(config));
  const db = await openDatabase(config, log);
  try {
    // Audit rows are keyed: the keys must open under the configured master keys before anything is written.
    const keys = (await loadSystemKeys(db, master, log, { create: false })).keys;
    db.integrity = keys;
    const n = await rewrapDataKeys(db, master, (done) => process.stdout.write(`\r已重新封装 ${done} 个密钥…`));
    console.log(`\n已在主密钥 v${master.current}、密码套件 ${master.suite} 下重新封装 ${n} 个密钥。`);
    const r = await resealPetitions(db, master, keys, (done) => process.stdout.write(`\r已重新加密 ${done} 件信访件…`));
    console.log(`\n已按密码套件 ${master.suite} 重新加密 ${r.petitions} 件信访件（身份信息、证据材料、完整性封印、回执校验值）。`);
    const store = new SegmentStore(db, master, path.join(config.dataDir, 'recordings'));
    const rec = await resealRecordings(db, store, master, keys, (done) => process.stdout.write(`\r已重新加密 ${done} 段录像…`));
    console.log(
      `\n已按密码套件 ${master.suite} 重新加密 ${rec.recordings} 段录像（${rec.segments} 个分段，完整性链已重建并记入审计日志）；正在录制的录像下次运行时处理。`,
    );
    if (r.refused.length) {
      console.error(`有 ${r.refused.length} 件信访件的身份封印校验失败，未重新加密（可能被篡改，请核查）：${r.refused.join('，')}`);
      process.exitCode = 2;
    }
    if (rec.refused.length) {
      console.error(`有 ${rec.refused.length} 段录像的完整性链校验失败，未重新加密（可能被篡改，请核查）：${rec.refused.join('，')}`);
      process.exitCode = 2;
    }
    if (!r.refused.length && !rec.refused.length) {
      console.log('旧版本主密钥现在可以从配置中移除。');
    }
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
