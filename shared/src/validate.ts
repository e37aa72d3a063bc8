import type { z } from 'zod';
import { AppError } from './errors.js';

/** Zod failures become BAD_REQUEST with the failing field paths, never the offending values. */
export function parseOrBadRequest<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const fields = [...new Set(r.error.issues.map((i) => i.path.map(String).join('.') || '(root)'))].slice(0, 20);
  throw new AppError('BAD_REQUEST', `invalid ${what}`, fields);
}
