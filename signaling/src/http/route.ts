import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { AppError, parseOrBadRequest, type Role } from '@vj/shared';
import type { AppContext } from '../context.js';
import type { Claims } from '../security/jwt.js';

export type AuthSpec = { kind: 'public' } | { kind: 'console'; roles: readonly Role[] } | { kind: 'kiosk' };

export interface RateLimitSpec {
  name: string;
  limit: number;
  windowMs: number;
  /** Extra key parts besides the client address, e.g. the username being tried. */
  key?: (req: Request) => string;
}

export interface RouteSpec<B extends z.ZodType, P extends z.ZodType> {
  auth: AuthSpec;
  rateLimit?: RateLimitSpec;
  body?: B;
  params?: P;
  handler: (ctx: { app: AppContext; principal: Claims | undefined; body: z.output<B>; params: z.output<P>; req: Request }) => Promise<unknown>;
  status?: number;
}

function bearer(req: Request): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7) : undefined;
}

/**
 * The fixed chain every REST route goes through: authenticate → rate limit → validate → act → present.
 * Handlers own their transaction and return the presented body; errors carry stable codes.
 */
export function route<B extends z.ZodType = z.ZodUndefined, P extends z.ZodType = z.ZodUndefined>(
  app: AppContext,
  spec: RouteSpec<B, P>,
): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      let principal: Claims | undefined;
      if (spec.auth.kind !== 'public') {
        principal = app.keys.verify(bearer(req), spec.auth.kind === 'kiosk' ? 'vj:kiosk' : 'vj:console');
        if (spec.auth.kind === 'console' && !spec.auth.roles.includes(principal.role)) {
          throw new AppError('FORBIDDEN', 'your role may not do this');
        }
      }
      if (spec.rateLimit) {
        const rl = spec.rateLimit;
        const key = `${rl.name}:${req.ip}:${rl.key?.(req) ?? ''}`;
        if (!(await app.rateLimiter.hit(key, rl.limit, rl.windowMs))) throw new AppError('RATE_LIMITED', 'too many attempts, wait a minute');
      }
      const body = spec.body ? parseOrBadRequest(spec.body, req.body, 'request body') : undefined;
      const params = spec.params ? parseOrBadRequest(spec.params, req.params, 'path parameters') : undefined;
      const result = await spec.handler({ app, principal, body: body as z.output<B>, params: params as z.output<P>, req });
      res.status(spec.status ?? 200).json(result);
    } catch (err) {
      next(err);
    }
  };
}
