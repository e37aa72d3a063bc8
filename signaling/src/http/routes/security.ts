import type { Express } from 'express';
import { SUSPICIOUS_FAILURES, SecurityStatusView } from '@vj/shared';
import type { AppContext } from '../../context.js';
import { envelopeSuite, type SuiteId } from '../../security/crypto.js';
import { mount } from '../route.js';

// The first byte of a wrapped key names its suite, as envelopeSuite reads it.
const suiteOfFormat = (byte: number): SuiteId | 'unknown' => envelopeSuite(Buffer.from([byte])) ?? 'unknown';
const suiteOfHash = (prefix: string): SuiteId | 'unknown' => (prefix === 'pbkdf2-sm3' ? 'sm' : prefix === 'scrypt' ? 'intl' : 'unknown');

/** The security administrator's page: counts and versions, never a key or a petition. */
export function securityRoutes(express: Express, app: AppContext): void {
  mount(express, app, 'GET /api/security/status', {
    handler: async () => {
      const keys = await app.db.query<{ kek_version: number; fmt: number; n: string }>(
        'SELECT kek_version, get_byte(wrapped, 0) AS fmt, count(*) AS n FROM data_keys GROUP BY 1, 2 ORDER BY 1, 2',
      );
      const hashes = await app.db.query<{ prefix: string; n: string }>(`SELECT split_part(password_hash, '$', 1) AS prefix, count(*) AS n FROM users GROUP BY 1 ORDER BY 1`);
      const recent = await app.db.query<{ failures: string; unknown: string; reuse: string; integrity: string }>(
        `SELECT count(*) FILTER (WHERE action = 'auth.login_failed') AS failures,
                count(*) FILTER (WHERE action = 'auth.login_failed' AND actor_id IS NULL) AS unknown,
                count(*) FILTER (WHERE action = 'auth.refresh_reuse') AS reuse,
                count(*) FILTER (WHERE action = 'integrity.failure') AS integrity
         FROM audit_log WHERE at > now() - interval '24 hours' AND action IN ('auth.login_failed', 'auth.refresh_reuse', 'integrity.failure')`,
      );
      const accounts = await app.db.query<{ name: string; role: string; failures: string; held: boolean }>(
        `SELECT u.display_name AS name, u.role, count(*) AS failures, bool_or(a.details ? 'backoffS') AS held
         FROM audit_log a JOIN users u ON u.id = a.actor_id
         WHERE a.action = 'auth.login_failed' AND a.at > now() - interval '24 hours'
         GROUP BY u.id, u.display_name, u.role HAVING count(*) >= $1 ORDER BY count(*) DESC LIMIT 20`,
        [SUSPICIOUS_FAILURES],
      );
      const r = recent.rows[0]!;
      const { valid, forged } = app.checkpoints.read();
      const last = valid.at(-1);
      return SecurityStatusView.parse({
        suite: app.config.cryptoSuite,
        dataKeys: keys.rows.map((r) => ({ kekVersion: r.kek_version, suite: suiteOfFormat(r.fmt), count: Number(r.n) })),
        passwords: hashes.rows.map((r) => ({ suite: suiteOfHash(r.prefix), count: Number(r.n) })),
        checkpoint: last ? { seq: last.seq, at: last.at } : null,
        forgedCheckpoints: forged,
        integrityAlerts: app.calls.alerts.list().filter((a) => a.kind === 'integrity_failed').length,
        recent: {
          loginFailures: Number(r.failures),
          unknownUserFailures: Number(r.unknown),
          accounts: accounts.rows.map((a) => ({ name: a.name, role: a.role, failures: Number(a.failures), heldBack: a.held })),
          refreshReuse: Number(r.reuse),
          integrityFailures: Number(r.integrity),
        },
      });
    },
  });
}
