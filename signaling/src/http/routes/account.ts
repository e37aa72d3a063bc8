import type { Express } from 'express';
import { AcknowledgedAnswer, MyAccountView, RecoveryCodesView, SessionIdParams, TotpBeginBody, TotpConfirmBody, TotpEnrolment } from '@vj/shared';
import { OwnAccount } from '../../auth/own-account.js';
import type { AppContext } from '../../context.js';
import { mount } from '../route.js';

/** A user's own account: enrolling their second factor, and seeing and ending their own login sessions. */
export function accountRoutes(express: Express, app: AppContext): void {
  const account = new OwnAccount(app.db, app.secondFactor, app.config.cryptoSuite);

  mount(express, app, 'POST /api/auth/second-factor/begin', {
    rateLimit: { name: 'second-factor-enrol', limit: 10, windowMs: 60_000 },
    body: TotpBeginBody,
    response: TotpEnrolment,
    handler: ({ body, principal }) => account.beginEnrolment(principal, body.password),
  });

  mount(express, app, 'POST /api/auth/second-factor/confirm', {
    rateLimit: { name: 'second-factor-enrol', limit: 10, windowMs: 60_000 },
    body: TotpConfirmBody,
    response: RecoveryCodesView,
    handler: async ({ body, principal }) => {
      const done = await account.confirmEnrolment(principal, body.code);
      for (const sid of done.ended) app.disconnect.session(sid);
      return done.codes;
    },
  });

  mount(express, app, 'GET /api/auth/account', {
    response: MyAccountView,
    handler: ({ principal }) => account.view(principal),
  });

  mount(express, app, 'POST /api/auth/sessions/:sid/end', {
    params: SessionIdParams,
    response: AcknowledgedAnswer,
    handler: async ({ params, principal }) => {
      await account.endSession(principal, params.sid);
      app.disconnect.session(params.sid);
      return {};
    },
  });
}
