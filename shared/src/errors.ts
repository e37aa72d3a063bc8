import { ERROR_MESSAGES, ERROR_TEXT } from './error-messages.js';

/**
 * Stable error codes shared by REST, socket acks and the SfuApi. Clients branch on the code, never on the
 * message, so messages can be reworded or translated without breaking anyone.
 */
export const ERROR_CODES = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  CALL_ALREADY_TAKEN: 409,
  INVALID_STATE: 409,
  CONFLICT_OF_INTEREST: 409,
  /** 分级负责: the matter may not go to that township (a 县管干部, the township's own leadership, an unconfirmed level); no override. */
  JURISDICTION: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  /** Stored data failed its integrity check (a MAC, chain or key check value): fail closed and alert. */
  INTEGRITY: 500,
  UNAVAILABLE: 503,
  /** DATA_DIR or the database's disk is full: nothing was saved; it works again once space is freed. */
  STORAGE_FULL: 507,
  SFU_TIMEOUT: 504,
  /** Another signaling node (a session's owner) did not answer in time. */
  NODE_TIMEOUT: 504,
  SFU_ERROR: 502,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** Field paths that failed validation; never values, which could carry petition content. */
  fields?: string[];
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fields: string[] | undefined;

  constructor(code: ErrorCode, message: string, fields?: string[]) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.fields = fields;
  }

  get status(): number {
    return ERROR_CODES[this.code];
  }

  toBody(): ErrorBody {
    return this.fields ? { code: this.code, message: this.message, fields: this.fields } : { code: this.code, message: this.message };
  }
}

/** The message a screen shows: the server's own when it is Chinese, otherwise the code's. */
export function userMessage(code: ErrorCode, message: string | undefined): string {
  return message && /[\u4e00-\u9fff]/.test(message) ? message : ERROR_TEXT[code];
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** A request to another node that got no answer in time; the code says which kind of node it was. */
export class NoAnswerError extends AppError {
  constructor(
    code: 'SFU_TIMEOUT' | 'NODE_TIMEOUT',
    readonly method: string,
    readonly nodeId: string,
    readonly timeoutMs: number,
  ) {
    // The user is told only that the other side did not answer; method, node and timeout stay on the error for logs.
    super(code, code === 'SFU_TIMEOUT' ? ERROR_MESSAGES.sfu.noAnswer : ERROR_MESSAGES.cluster.noAnswer);
  }
}

/** A request to an SFU node that got no answer in time. */
export class SfuTimeoutError extends NoAnswerError {
  constructor(method: string, nodeId: string, timeoutMs: number) {
    super('SFU_TIMEOUT', method, nodeId, timeoutMs);
    this.name = 'SfuTimeoutError';
  }
}
