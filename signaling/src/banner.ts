import type { Config } from './config.js';
import { SECOND_FACTOR_ALWAYS } from '@vj/shared';
import { DEMO_USERS } from './db/seed.js';
import type { RunningServer } from './server.js';

export function printBanner(server: RunningServer, config: Config): void {
  const lines: string[] = [];
  const rule = '─'.repeat(72);
  lines.push('', rule, ' 视频接访 已启动 / running', rule);
  lines.push(` 县纪委监委控制台 County console:  ${server.url}/console/`);
  if (server.demo) {
    lines.push('', ' 演示登录 Demo logins (demo mode only — never in production):');
    const needs = (role: string) => config.secondFactor && (SECOND_FACTOR_ALWAYS as readonly string[]).includes(role);
    for (const u of DEMO_USERS) lines.push(`   ${u.username.padEnd(12)} / ${u.password.padEnd(18)} ${u.displayName}${needs(u.role) ? ' ＋动态口令' : ''}`);
    if (config.secondFactor && server.demo.totp) {
      lines.push('', ' 动态口令 Second factor (marked ＋动态口令 above): add this demo secret to any authenticator app');
      lines.push(`   (TOTP, 6 digits, 30 s):  ${server.demo.totp.replace(/(.{4})/g, '$1 ').trim()}`);
      lines.push(`   otpauth://totp/${encodeURIComponent(config.totpIssuer)}:demo?secret=${server.demo.totp}&issuer=${encodeURIComponent(config.totpIssuer)}`);
    }
    lines.push('', " 镇街接待室终端 Kiosk URLs (each carries that room's demo device credential):");
    for (const r of server.rooms) {
      const cred = server.demo.kiosks[r.code];
      if (cred) lines.push(`   ${r.name.padEnd(8, '\u3000')} ${server.url}/kiosk/#device=${cred}`);
    }
  } else {
    lines.push(' 生产模式 Production mode: provision kiosks with `npm run kiosk:provision -- <room-code>`.');
  }
  lines.push('');
  lines.push(` 数据 Data:      ${server.db.kind === 'pglite' ? `${config.dataDir}/pglite (embedded PGlite)` : 'PostgreSQL (DATABASE_URL)'}`);
  lines.push(` 录像 Recordings: ${config.recording ? `${config.dataDir}/recordings (encrypted segments)` : 'off (RECORDING=off)'}`);
  lines.push(` 健康 Health:    ${server.url}/api/health`);
  lines.push(' 停止 Stop:      Ctrl+C');
  lines.push(rule, '');
  console.log(lines.join('\n'));
}
