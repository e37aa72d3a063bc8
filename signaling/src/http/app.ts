import fs from 'node:fs';
import path from 'node:path';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { AppError, ERROR_MESSAGES } from '@vj/shared';
import type { AppContext } from '../context.js';
import { errorHandler } from './errors.js';
import { adminRoutes } from './routes/admin.js';
import { auditRoutes } from './routes/audit.js';
import { securityRoutes } from './routes/security.js';
import { authRoutes } from './routes/auth.js';
import { accountRoutes } from './routes/account.js';
import { caseRoutes } from './routes/cases.js';
import { healthRoutes } from './routes/health.js';
import { petitionRoutes } from './routes/petitions.js';
import { receiptRoutes } from './routes/receipts.js';
import { satisfactionRoutes } from './routes/satisfaction.js';
import { recordingRoutes } from './routes/recordings.js';
import { registryRoutes } from './routes/registry.js';
import { disciplineRoutes } from './routes/discipline.js';
import { recommendationRoutes } from './routes/recommendations.js';
import { archiveRoutes } from './routes/archive.js';
import { opinionRoutes } from './routes/opinions.js';
import { visitRoutes } from './routes/visits.js';
import { roomRoutes } from './routes/rooms.js';
import { townshipRoutes } from './routes/township.js';
import { sealedRoutes } from './routes/sealed.js';

/**
 * connect-src names only this server: 'self' matches the page's own origin for ws:/wss: too (CSP Level 3, in
 * Chromium since 2018; test/integration/headers.test.ts checks the kiosk's Chromium), and PUBLIC_URL's origin is
 * added for the address kiosks are told to use. A bare ws:/wss: would let an injected script send anything to
 * any host. Exactly these directives: helmet's defaults would add upgrade-insecure-requests, which breaks a
 * county that serves plain HTTP on its own network.
 */
export function cspDirectives(publicUrl: string | undefined): Record<string, string[]> {
  const connect = ["'self'"];
  if (publicUrl) {
    const u = new URL(publicUrl);
    connect.push(u.origin, `${u.protocol === 'https:' ? 'wss' : 'ws'}://${u.host}`);
  }
  return {
    'default-src': ["'self'"],
    'connect-src': connect,
    'media-src': ["'self'", 'blob:', 'mediastream:'],
    'img-src': ["'self'", 'data:', 'blob:'],
    'style-src': ["'self'", "'unsafe-inline'"],
    'frame-ancestors': ["'none'"],
  };
}

/**
 * The response headers every answer carries, from helmet (the set it keeps current: CSP, HSTS, no sniffing, no
 * referrer, framing refused, cross-origin isolation of windows and resources), plus Permissions-Policy, which
 * helmet does not set: only this origin may ask for the camera and microphone.
 */
function securityHeaders(ctx: AppContext) {
  // Browsers heed HSTS only over HTTPS; sent whenever this server is meant to be reached that way.
  const hsts = ctx.config.tls !== undefined || ctx.config.publicUrl?.startsWith('https:') === true;
  const standard = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: cspDirectives(ctx.config.publicUrl) },
    strictTransportSecurity: hsts ? { maxAge: 31_536_000, includeSubDomains: false } : false,
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
  });
  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Permissions-Policy', 'camera=(self), microphone=(self)');
    standard(req, res, next);
  };
}

function serveSpa(app: Express, mount: string, dir: string): void {
  if (!fs.existsSync(path.join(dir, 'index.html'))) return;
  app.use(mount, express.static(dir, { index: 'index.html', maxAge: '1h' }));
  app.get(`${mount}/{*rest}`, (_req, res) => res.sendFile(path.join(dir, 'index.html')));
}

export function createApp(ctx: AppContext, staticRoot: string): Express {
  const app = express();
  app.disable('x-powered-by');
  // X-Forwarded-For only from the proxies TRUST_PROXY names: trusted from anyone (or from loopback, where any
  // local process is), a fresh header per request was a fresh rate-limit budget per request.
  app.set('trust proxy', ctx.config.trustProxy.length > 0 ? ctx.config.trustProxy : false);
  const access = ctx.log.child('access');
  app.use((req, res, next) => {
    // The route pattern, not the URL: query strings may carry search terms; ids are fine, content never.
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const fields = {
        method: req.method,
        route: (req.route as { path?: string } | undefined)?.path ?? req.path.split('/').slice(0, 3).join('/'),
        status: res.statusCode,
        ms: Number((process.hrtime.bigint() - started) / 1_000_000n),
      };
      if (res.statusCode >= 500) access.warn('request', fields);
      else access.debug('request', fields);
    });
    next();
  });
  app.use(securityHeaders(ctx));
  app.use('/api', express.json({ limit: '256kb', strict: true }));
  for (const register of [
    healthRoutes,
    authRoutes,
    accountRoutes,
    roomRoutes,
    petitionRoutes,
    caseRoutes,
    townshipRoutes,
    sealedRoutes,
    registryRoutes,
    disciplineRoutes,
    recommendationRoutes,
    archiveRoutes,
    opinionRoutes,
    visitRoutes,
    recordingRoutes,
    receiptRoutes,
    satisfactionRoutes,
    auditRoutes,
    securityRoutes,
    adminRoutes,
  ])
    register(app, ctx);
  app.use('/api', (_req, _res, next) => next(new AppError('NOT_FOUND', ERROR_MESSAGES.http.noRoute)));
  serveSpa(app, '/kiosk', path.join(staticRoot, 'kiosk-client', 'dist'));
  serveSpa(app, '/console', path.join(staticRoot, 'county-console', 'dist'));
  app.get('/', (_req, res) => res.redirect('/console/'));
  app.use(errorHandler(ctx.log.child('http')));
  return app;
}
