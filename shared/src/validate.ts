import { ERROR_MESSAGES } from './error-messages.js';
import type { z } from 'zod';
import { AppError } from './errors.js';

/** Where the bad input was, as the user is told it. */
const WHAT: Record<string, string> = { 'request body': '请求内容', 'path parameters': '路径参数', query: '查询参数' };

/** A lone half of a surrogate pair: not a character, and stored as U+FFFD (the text silently changed). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/u;
const unstorable = (s: string) => s.includes('\u0000') || LONE_SURROGATE.test(s);

/**
 * The path of the first text in `value` that PostgreSQL cannot keep as written: a NUL (refused, which answered 500
 * after the checks had passed) or a lone surrogate (replaced). Keys count as text too. Binary parts are not text.
 */
function unstorableAt(value: unknown, path: string[] = [], depth = 0): string | undefined {
  // The path is cut short: a key zod would have dropped comes back in it, at whatever length it was sent.
  if (typeof value === 'string') return unstorable(value) ? path.join('.').slice(0, 200) || '(root)' : undefined;
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || value instanceof ArrayBuffer || depth > 32) return undefined;
  for (const [k, v] of Object.entries(value)) {
    const at = unstorable(k) ? [...path, '(key)'].join('.') : unstorableAt(v, [...path, k], depth + 1);
    if (at !== undefined) return at;
  }
  return undefined;
}

/**
 * Zod failures become BAD_REQUEST with the failing field paths, never the offending values. Text that could not be
 * stored as written is refused first, at every boundary alike (REST, socket events, node and SFU requests).
 */
export function parseOrBadRequest<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const bad = unstorableAt(value);
  if (bad !== undefined) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.common.unstorableText, [bad]);
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const fields = [...new Set(r.error.issues.map((i) => i.path.map(String).join('.') || '(root)'))].slice(0, 20);
  // The schema's own Chinese message when it has one (e.g. "动态口令应为 6 位数字"); else which part (the fields go beside it, in the answer's fields).
  const own = r.error.issues.map((i) => i.message).find((m) => /[\u4e00-\u9fff]/.test(m));
  throw new AppError('BAD_REQUEST', own ?? ERROR_MESSAGES.common.invalidInput(WHAT[what] ?? '请求内容'), fields);
}
