import type { Express } from 'express';
import { AcknowledgedAnswer, SecondFactorResetBody, SecondFactorUsersView, SecurityPolicyBody, SecurityStatusView, UserIdParams } from '@vj/shared';
import type { AppContext } from '../../context.js';
import { readSecurityPolicy, resetSecondFactor, saveSecurityPolicy, secondFactorRoster, securityCounts } from '../../security/security-admin.js';
import { mount } from '../route.js';

/** The security administrator's page: counts and versions, never a key or a petition. */
export function securityRoutes(express: Express, app: AppContext): void {
  mount(express, app, 'GET /api/security/status', {
    response: SecurityStatusView,
    handler: async () => {
      const counts = await securityCounts(app.db);
      const { last, forged } = await app.checkpoints.latest();
      return {
        suite: app.config.cryptoSuite,
        ...counts,
        checkpoint: last ? { seq: last.seq, at: last.at } : null,
        forgedCheckpoints: forged,
        integrityAlerts: app.calls.alerts.list().filter((a) => a.kind === 'integrity_failed').length,
      };
    },
  });

  mount(express, app, 'GET /api/security/second-factor', {
    response: SecondFactorUsersView,
    handler: () => secondFactorRoster(app.db),
  });

  mount(express, app, 'PUT /api/security/policy', {
    body: SecurityPolicyBody,
    response: SecurityPolicyBody,
    handler: async ({ body, principal }) => {
      const owing = await saveSecurityPolicy(app.db, principal, body, app.config.secondFactor);
      // Their open consoles are closed now: REST already refuses them, and a live socket must not outlast that.
      for (const id of owing) app.disconnect.user(id);
      return readSecurityPolicy(app.db);
    },
  });

  mount(express, app, 'POST /api/security/users/:id/second-factor/reset', {
    params: UserIdParams,
    body: SecondFactorResetBody,
    response: AcknowledgedAnswer,
    handler: async ({ params, body, principal }) => {
      await resetSecondFactor(app, principal, params.id, body.reason);
      app.disconnect.user(params.id);
      return {};
    },
  });
}
