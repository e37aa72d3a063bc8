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

/**
 * What a user is told for each code when the message itself is not Chinese (a bare library or server-internal text,
 * or no answer at all): screens show messages as they come, and no screen should show English.
 */
export const ERROR_TEXT: Record<ErrorCode, string> = {
  BAD_REQUEST: '填写的内容有误，请检查后再试。',
  UNAUTHENTICATED: '登录已失效，请重新登录。',
  FORBIDDEN: '您没有权限进行此操作。',
  NOT_FOUND: '没有找到，可能已被删除或您无权查看。',
  CONFLICT: '操作与当前记录冲突，请刷新后再试。',
  CALL_ALREADY_TAKEN: '该来电已由其他人员接听。',
  INVALID_STATE: '当前状态下不能进行此操作，请刷新后再试。',
  CONFLICT_OF_INTEREST: '涉及回避情形，不能进行此操作。',
  JURISDICTION: '按管理权限，该事项不能交由乡镇办理。',
  PAYLOAD_TOO_LARGE: '内容太大，请缩小后再试。',
  RATE_LIMITED: '操作太频繁，请稍后再试。',
  INTERNAL: '系统出错了，请稍后再试；如反复出现，请联系系统管理员。',
  INTEGRITY: '数据完整性校验未通过，已报告安全管理员。',
  UNAVAILABLE: '暂时连不上服务器，请稍后再试。',
  STORAGE_FULL: '服务器存储空间已满，内容没有保存，请联系系统管理员。',
  SFU_TIMEOUT: '音视频服务没有及时响应，请稍后再试。',
  NODE_TIMEOUT: '服务器没有及时响应，请稍后再试。',
  SFU_ERROR: '音视频服务出错，请稍后再试。',
};

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
    super(code, `${method} on node ${nodeId}: no answer within ${timeoutMs} ms`);
  }
}

/** A request to an SFU node that got no answer in time. */
export class SfuTimeoutError extends NoAnswerError {
  constructor(method: string, nodeId: string, timeoutMs: number) {
    super('SFU_TIMEOUT', method, nodeId, timeoutMs);
    this.name = 'SfuTimeoutError';
  }
}
