import { ERROR_MESSAGES } from './error-messages.js';
import type { z } from 'zod';
import { AppError } from './errors.js';

/** Where the bad input was, as the user is told it. */
const WHAT: Record<string, string> = { 'request body': '请求内容', 'path parameters': '路径参数', query: '查询参数' };

/** Zod failures become BAD_REQUEST with the failing field paths, never the offending values. */
export function parseOrBadRequest<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const fields = [...new Set(r.error.issues.map((i) => i.path.map(String).join('.') || '(root)'))].slice(0, 20);
  // The schema's own Chinese message when it has one (e.g. "动态口令应为 6 位数字"); else which part (the fields go beside it, in the answer's fields).
  const own = r.error.issues.map((i) => i.message).find((m) => /[\u4e00-\u9fff]/.test(m));
  throw new AppError('BAD_REQUEST', own ?? ERROR_MESSAGES.common.invalidInput(WHAT[what] ?? '请求内容'), fields);
}
