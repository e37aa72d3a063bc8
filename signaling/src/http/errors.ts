import type { NextFunction, Request, Response } from 'express';
import { AppError, errorFields, type Logger, ERROR_MESSAGES } from '@vj/shared';
import { isDiskFullError, storageFullError } from '../storage-guard.js';

/** Maps errors to { error: { code, message } }. Anything unexpected is a generic 500 that leaks nothing. */
export function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    let appErr: AppError;
    if (err instanceof AppError) {
      appErr = err;
    } else if ((err as { type?: string }).type === 'entity.parse.failed') {
      appErr = new AppError('BAD_REQUEST', ERROR_MESSAGES.http.badJson);
    } else if ((err as { type?: string }).type === 'entity.too.large') {
      appErr = new AppError('PAYLOAD_TOO_LARGE', ERROR_MESSAGES.http.bodyTooLarge);
    } else if ((err as { status?: number }).status === 415 || (err as { type?: string }).type === 'charset.unsupported') {
      appErr = new AppError('BAD_REQUEST', ERROR_MESSAGES.http.badEncoding);
    } else if (isDiskFullError(err)) {
      // A file write (recording, checkpoint, scratch) that met a full disk: the user learns why, not "internal".
      appErr = storageFullError();
    } else {
      log.error('unhandled request error', { method: req.method, route: req.route?.path ?? 'unknown', ...errorFields(err) });
      appErr = new AppError('INTERNAL', ERROR_MESSAGES.common.internal);
    }
    if (appErr.status >= 500 && appErr.code !== 'INTERNAL') log.warn('request failed', { code: appErr.code, method: req.method });
    res.status(appErr.status).json({ error: appErr.toBody() });
  };
}
