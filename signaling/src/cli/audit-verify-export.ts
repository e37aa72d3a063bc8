// Checks a signed audit export (the audit administrator's download): every row present, unchanged, in order, and
// the range as exported; says how many rows were redacted because they are about a sealed matter. Usage: npm run
// audit:verify-export -- <file.jsonl>   (exit 0 valid, 2 not, 1 could not run)
// Needs the server's database and master keys: the export is signed with a subkey of the wrapped integrity key.
import fs from 'node:fs';
import { createLogger } from '@vj/shared';
import { verifyExport } from '../audit/export.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/db.js';
import { loadMasterKeys } from '../server.js';
import { loadDemoSecretsIfAny } from '../security/demo-secrets.js';
import { loadSystemKeys } from '../security/system-keys.js';

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) {
    console.log('用法：npm run audit:verify-export -- <导出文件.jsonl>');
    process.exitCode = 1;
    return;
  }
  const config = loadConfig();
  const log = createLogger('audit-verify-export', 'warn');
  const master = loadMasterKeys(config, loadDemoSecretsIfAny(config));
  const db = await openDatabase(config, log);
  try {
    const { keys } = await loadSystemKeys(db, master, log, { create: false });
    const r = verifyExport(keys, fs.readFileSync(file, 'utf8'));
    if (r.ok)
      console.log(
        `审计导出文件有效：${r.from} 至 ${r.to}，共 ${r.rows} 条，签名相符，链接连续。${r.redacted ? `其中 ${r.redacted} 条涉及密封事项，只保留记录存在，未重算其链接。` : ''}`,
      );
    else console.log(`审计导出文件无效：${r.problem}`);
    process.exitCode = r.ok ? 0 : 2;
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
