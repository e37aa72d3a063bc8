import { describe, expect, it } from 'vitest';
import { ERROR_TEXT } from './error-messages.js';
import { ERROR_CODES, userMessage, type ErrorCode } from './errors.js';

describe('what a screen shows for an error', () => {
  it('keeps the server’s Chinese message, and puts the code’s Chinese text in place of an English or missing one', () => {
    expect(userMessage('NOT_FOUND', '录像不存在')).toBe('录像不存在');
    expect(userMessage('NOT_FOUND', 'no such recording')).toBe(ERROR_TEXT.NOT_FOUND);
    expect(userMessage('UNAVAILABLE', undefined)).toBe('暂时连不上服务器，请稍后再试。');
    expect(userMessage('BAD_REQUEST', '')).toBe(ERROR_TEXT.BAD_REQUEST);
  });

  it('has Chinese text for every code', () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) expect(ERROR_TEXT[code]).toMatch(/^[\u4e00-\u9fff][^a-zA-Z]*。$/);
  });
});
