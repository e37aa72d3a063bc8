import { NoAnswerError } from './errors.js';

/**
 * Structured, one-line JSON logs. Fields are ids, counts, codes and reasons: the type only admits primitives,
 * and callers must never pass petition content or identity (DESIGN §3: logs carry ids, never content).
 */
export type LogFields = Record<string, string | number | boolean | null | undefined>;
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(component: string): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogSink = (line: string) => void;

export function createLogger(component: string, level: LogLevel = 'info', sink: LogSink = (l) => console.log(l)): Logger {
  const write = (lvl: LogLevel, msg: string, fields?: LogFields) => {
    if (ORDER[lvl] < ORDER[level]) return;
    sink(JSON.stringify({ t: new Date().toISOString(), level: lvl, component, msg, ...fields }));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (c) => createLogger(`${component}.${c}`, level, sink),
  };
}

/**
 * An error's class and code only: messages from libraries can echo input, which could be petition text. A node that
 * did not answer adds which method, node and timeout, which its user-facing message leaves out.
 */
export function errorFields(err: unknown): LogFields {
  if (err instanceof NoAnswerError) return { errorName: err.name, errorCode: err.code, method: err.method, nodeId: err.nodeId, timeoutMs: err.timeoutMs };
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { errorName: err.name, errorCode: typeof code === 'string' ? code : undefined };
  }
  return { errorName: typeof err };
}
