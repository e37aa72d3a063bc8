import expressLib, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { z } from 'zod';
import { AppError, isDistrictRole, parseOrBadRequest, ERROR_MESSAGES } from '@vj/shared';
import { Recused } from '../cases/conflicts.js';
import { auditRefusal, auditThrottled } from '../audit/refusals.js';
import type { AppContext } from '../context.js';
import type { Claims } from '../security/jwt.js';
import { ROUTES, splitKey, type RouteAccess, type RouteKey } from './access.js';
import { sendRange } from './byte-range.js';

export interface RateLimitSpec<B = unknown> {
  name: string;
  limit: number;
  windowMs: number;
  /**
   * Extra key parts besides the client address, e.g. the username being tried. It gets the validated body
   * (after the schema's normalisation), so the key is the very value the handler acts on: a raw-body key
   * let "\tofficer2" count apart from "officer2" while both reached the same account.
   */
  key?: (req: Request, body: B) => string;
  /** Counted per signed-in user, wherever they sign in from, not per address (a bulk pull of people's records). */
  perUser?: boolean;
  /** The refusal's words, when "too many tries" is not what the user was doing. */
  message?: string;
}

/** The limiter's answer: 429 in Chinese, with how long to wait. */
export function rateLimited(res: Response, retryAfterMs: number, message: string = ERROR_MESSAGES.http.tooManyTries): AppError {
  res.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  return new AppError('RATE_LIMITED', message);
}

/** A handler may answer with bytes (an attachment download) instead of JSON. */
export class Binary {
  constructor(
    readonly data: Buffer,
    readonly contentType: string,
    readonly filename: string,
  ) {}
}

/** A handler may answer with bytes held in memory, served with byte ranges (a decrypted recording kept off disk). */
export class RangeBuffer {
  constructor(
    readonly data: Buffer,
    readonly contentType: string,
  ) {}
}

/** A handler may answer with a file on disk, served with byte ranges (a recording the player seeks in). */
export class FileResult {
  constructor(
    readonly path: string,
    readonly contentType: string,
  ) {}
}

export interface HandlerContext<B, P, Q> {
  app: AppContext;
  /** Present on every route that is not public. */
  principal: Claims;
  body: B;
  params: P;
  query: Q;
  req: Request;
  /** For headers that go with an error, e.g. Retry-After on a 429. */
  res: Response;
  /** For 'township'-scoped routes: a township role touching another township's object gets 404. */
  requireTownship(townshipCode: string): void;
}

/** What a route that answers with bytes (a file, a download, a recording) declares instead of a JSON schema. */
export const BYTES = 'bytes' as const;
type Answer = Binary | RangeBuffer | FileResult;

export interface RouteSpec<B extends z.ZodType, P extends z.ZodType, Q extends z.ZodType, R extends z.ZodType = z.ZodType> {
  /** One window, or several (a minute and a day), each counted on every request. */
  rateLimit?: RateLimitSpec<z.output<B>> | readonly RateLimitSpec<z.output<B>>[];
  body?: B;
  params?: P;
  query?: Q;
  /** Raw body routes (uploads) read req.body as a Buffer. */
  raw?: { limit: string };
  /** The success status; a function of the result for answers whose status carries meaning (health). */
  status?: number | ((result: unknown) => number);
  /**
   * The answer's schema, as requests have theirs: checked before the answer leaves, and only what it declares
   * leaves (an undeclared key is dropped, so a field added to a row cannot reach a role by accident). An answer
   * that does not match is this server's fault: logged with the route and the paths that failed, answered 500.
   */
  response: R | typeof BYTES;
  handler: (ctx: HandlerContext<z.output<B>, z.output<P>, z.output<Q>>) => Promise<z.input<R> | Answer>;
}

/** The answer as its schema presents it, or INTERNAL (logged: route and failing paths, never values). */
function presented(app: AppContext, key: RouteKey, schema: z.ZodType | typeof BYTES, result: unknown): unknown {
  if (schema === BYTES) {
    app.log.error('a bytes route answered with JSON', { route: key });
    throw new AppError('INTERNAL', ERROR_MESSAGES.common.internal);
  }
  const out = schema.safeParse(result);
  if (out.success) return out.data;
  app.log.error('answer does not match its schema', {
    route: key,
    paths: out.error.issues
      .map((i) => i.path.join('.') || '(root)')
      .slice(0, 10)
      .join(', '),
  });
  throw new AppError('INTERNAL', ERROR_MESSAGES.common.internal);
}

function bearer(req: Request): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7) : undefined;
}

/** What an account that must first change its one-time (or expired) password may still do. */
const PASSWORD_CHANGE_ROUTES = new Set<RouteKey>(['POST /api/auth/password', 'POST /api/auth/logout']);
/** What an account whose role needs a second factor it has not enrolled may still do. */
const ENROL_ROUTES = new Set<RouteKey>(['POST /api/auth/second-factor/begin', 'POST /api/auth/second-factor/confirm', 'POST /api/auth/logout']);

const isTownshipRole = (c: Claims) => c.role === 'township_handler' || c.role === 'township_staff';

/**
 * The fixed chain every REST route goes through: authenticate (signature, then "still live") → authorize by
 * the access table → validate → rate limit (keyed on the validated values) → act → present. Errors carry
 * stable codes; refusals of a known user are audited.
 */
export function mount<
  B extends z.ZodType = z.ZodUndefined,
  P extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodType = z.ZodUndefined,
  R extends z.ZodType = z.ZodType,
>(express: Express, app: AppContext, key: RouteKey, spec: RouteSpec<B, P, Q, R>): void {
  const access: RouteAccess = ROUTES[key];
  const { method, path } = splitKey(key);
  /** Who is asking, and whether they may: the chain's first two links. */
  const authorize = async (req: Request): Promise<Claims | undefined> => {
    if (access.roles === 'public') return undefined;
    const kioskOnly = access.roles.length === 1 && access.roles[0] === 'kiosk';
    const principal = app.keys.verify(bearer(req), kioskOnly ? 'vj:kiosk' : 'vj:console');
    try {
      const live = await app.auth.assertLive(principal);
      if (!access.roles.includes(principal.role)) throw new AppError('FORBIDDEN', ERROR_MESSAGES.common.roleForbidden);
      // An account with its one-time password does nothing until it has chosen its own.
      if (live.mustChangePassword && !PASSWORD_CHANGE_ROUTES.has(key)) throw new AppError('FORBIDDEN', ERROR_MESSAGES.auth.changePasswordFirst);
      // Then a role that needs a second factor does nothing until it has one.
      if (!live.mustChangePassword && live.mustEnrolSecondFactor && !ENROL_ROUTES.has(key)) throw new AppError('FORBIDDEN', ERROR_MESSAGES.auth.enrolFirst);
    } catch (err) {
      await refused(principal, err);
      throw err;
    }
    return principal;
  };
  /** The route's limit windows, listed once here rather than on every request. */
  const rateLimits: readonly RateLimitSpec<z.output<B>>[] =
    spec.rateLimit === undefined ? [] : Array.isArray(spec.rateLimit) ? spec.rateLimit : [spec.rateLimit as RateLimitSpec<z.output<B>>];
  /**
   * A 404 that is a scoped role reaching past its scope: a township role on a township route, a 督查组 on a 片区's
   * person or unit. (A county reader's 404 there is a code that does not exist, not a refusal.)
   */
  const outOfScope = (principal: Claims) => access.scope === 'township' || (access.scope === 'district' && isDistrictRole(principal.role));
  /** Refusals of a known user are audited; 回避 ones too (Recused): the row names the route and the code, never the matter. */
  const refused = async (principal: Claims | undefined, err: unknown) => {
    if (principal && err instanceof AppError && (err.code === 'FORBIDDEN' || err instanceof Recused || (err.code === 'NOT_FOUND' && outOfScope(principal)))) {
      await auditRefusal(app.db, app.log, app.rateLimiter, principal, { type: 'route', id: key }, err.code);
    }
  };
  const handler = async (req: Request, res: Response, next: NextFunction) => {
    let principal: Claims | undefined;
    try {
      // An upload route was also asked before its body was read (rawGate); asked again now, since a logout or a
      // revocation while a large body arrived must not let it through.
      principal = await authorize(req);
    } catch (err) {
      next(err);
      return;
    }
    try {
      const body = spec.body ? parseOrBadRequest(spec.body, req.body, 'request body') : spec.raw ? req.body : undefined;
      const params = spec.params ? parseOrBadRequest(spec.params, req.params, 'path parameters') : undefined;
      const query = spec.query ? parseOrBadRequest(spec.query, req.query, 'query') : undefined;
      for (const rl of rateLimits) {
        // req.ip honours X-Forwarded-For only from the proxies TRUST_PROXY names (app.ts).
        const who = rl.perUser && principal ? `user:${principal.sub}` : (req.ip ?? 'unknown');
        const rlKey = `${rl.name}:${who}:${rl.key?.(req, body as z.output<B>) ?? ''}`;
        const hits = await app.rateLimiter.hits(rlKey, rl.windowMs);
        if (hits > rl.limit) {
          // A signed-in user over a budget of reads is what a bulk pull looks like: the auditor sees it, once per
          // window of the budget, at its first refusal (a script refused a thousand times is one row, and cannot
          // flood the chain).
          if (rl.perUser && principal && hits === rl.limit + 1) await auditThrottled(app.db, app.log, principal, key, rl);
          throw rateLimited(res, rl.windowMs, rl.message);
        }
      }
      let scopeChecked = false;
      const result = await spec.handler({
        app,
        principal: principal!,
        body: body as z.output<B>,
        params: params as z.output<P>,
        query: query as z.output<Q>,
        req,
        res,
        requireTownship: (code) => {
          scopeChecked = true;
          if (principal && isTownshipRole(principal) && principal.twp !== code) throw new AppError('NOT_FOUND', ERROR_MESSAGES.common.notFound);
        },
      });
      if (access.scope === 'township' && !scopeChecked) throw new Error(`route ${key} is township-scoped but never checked the township`);
      if (result instanceof FileResult) {
        res.sendFile(
          result.path,
          { headers: { 'Content-Type': result.contentType, 'Cache-Control': 'no-store' }, acceptRanges: true },
          (err) => err && next(err),
        );
        return;
      }
      if (result instanceof RangeBuffer) {
        sendRange(req, res, result.data, result.contentType);
        return;
      }
      if (result instanceof Binary) {
        res
          .status(200)
          .type(result.contentType)
          .setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(result.filename)}`);
        res.setHeader('Cache-Control', 'no-store');
        res.end(result.data);
        return;
      }
      const answer = presented(app, key, spec.response, result);
      res
        .status(typeof spec.status === 'function' ? spec.status(result) : (spec.status ?? 200))
        .setHeader('Cache-Control', 'no-store')
        .json(answer);
    } catch (err) {
      await refused(principal, err);
      next(err);
    }
  };
  // An upload is read only once its sender is known and allowed: a stranger's 40 MB is refused at the headers,
  // not buffered first.
  const rawGate = (req: Request, res: Response, next: NextFunction) => {
    authorize(req).then(
      () => next(),
      (err: unknown) => {
        // Unread, the body would hold the connection; answer and close it.
        res.setHeader('Connection', 'close');
        next(err);
      },
    );
  };
  const raw = spec.raw ? [rawGate, expressLib.raw({ type: () => true, limit: spec.raw.limit })] : [];
  express[method](path, ...raw, handler);
}
