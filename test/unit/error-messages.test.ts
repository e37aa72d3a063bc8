import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ERROR_MESSAGES, ERROR_TEXT, NoAnswerError, SfuTimeoutError, errorFields, errorMessageEntries } from '@vj/shared';
import { ENGLISH_ALLOWED } from '../helpers/english.js';
import { HALF_WIDTH_AFTER_CJK, HALF_WIDTH_PUNCTUATION, HAN } from '../helpers/typography.js';

/**
 * Sample arguments for every catalog entry that takes some, as the servers pass them: labels and lists in Chinese,
 * counts as numbers. A new entry with parameters needs a line here, so no text goes unread by this test.
 */
const SAMPLES: Record<string, unknown[]> = {
  'common.invalidInput': ['请求内容'],
  'auth.newPasswordWeak': [['至少 12 位', '不能与当前密码相同']],
  'attachments.tooManyAtIntake': [10],
  'attachments.tooManyPending': [20],
  'attachments.tooManyOwn': [50],
  'attachments.tooLarge': [10],
  'attachments.typeNotAllowed': [['JPG 图片', 'PDF 文件', 'MP4 视频']],
  'cases.dispositionMade': ['初步核实'],
  'cases.noOutcomeFor': ['予以了结'],
  'cases.outcomeOtherDisposition': ['谈话函询'],
  'cases.extensionsUsed': [2],
  'cases.extensionTooLong': [30],
  'cases.noSuchClockRule': ['检举控告', '受理'],
  'cases.calendarNotImported': [['第 2 行的日期无法识别。', '第 3 行重复。', '第 4 行缺少类型。', '第 5 行重复。']],
  'cases.accusedInTownship': ['转办'],
  'cases.noSuchAccused': [2],
  'cases.levelFromRegistry': [1, '县管干部'],
  'cases.townshipRoleFromRegistry': [3],
  'registry.missingColumns': [['姓名', '身份证号']],
  'registry.unclosedQuote': [7],
  'registry.rows.fieldTooLong': [200],
  'storage.belowReserve': ['/数据', 12, 256],
  'storage.dataDirDiskFull': ['/数据'],
  'audit.exportTooMany': [100000],
  'recommendations.recordNotFound': ['CF-2021-017'],
  'visits.plannedAfterEffect': ['2027-06-09'],
  'archiveImport.stopped': [200, 180],
  'registry.tooManyRows': [200000],
  'opinions.unknownPeople': [['XS-9999', 'XS-9998']],
};

const texts = errorMessageEntries().map(({ key, text }) => {
  if (typeof text === 'string') return { key, text };
  const args = SAMPLES[key];
  if (!args) throw new Error(`no sample arguments for ${key}: add them to SAMPLES`);
  return { key, text: (text as (...a: unknown[]) => string)(...args) };
});

/** Latin words other than the file formats, units and letters a Chinese screen may show (the ID card's X). */
function english(text: string): string[] {
  const allowed = new Set([...ENGLISH_ALLOWED, 'X'].map((w) => w.toLowerCase()));
  return (text.match(/[A-Za-z][A-Za-z0-9-]*/g) ?? []).filter((w) => !/\d/.test(w) && !allowed.has(w.toLowerCase()));
}

describe('the error catalog', () => {
  it('reads every entry, each with sample arguments when it takes some', () => {
    const functions = errorMessageEntries()
      .filter((e) => typeof e.text === 'function')
      .map((e) => e.key);
    expect(Object.keys(SAMPLES).sort()).toEqual(functions.sort());
    expect(texts.length).toBeGreaterThan(150);
  });

  it('every text is Chinese, with full-width punctuation and no English word', () => {
    const bad = texts.filter(({ text }) => !HAN.test(text) || HALF_WIDTH_AFTER_CJK.test(text) || HALF_WIDTH_PUNCTUATION.test(text) || english(text).length);
    expect(bad).toEqual([]);
  });

  it('the check itself refuses English, a half-width comma and a bracket', () => {
    for (const t of ['no such case', '没有这个事项,请刷新', '已作出处置决定(初步核实)', '请检查 SFU 后再试。']) {
      expect(!HAN.test(t) || HALF_WIDTH_PUNCTUATION.test(t) || english(t).length > 0, t).toBe(true);
    }
  });

  it('is frozen, and the per-code fallback has a text for every code', () => {
    expect(Object.isFrozen(ERROR_MESSAGES)).toBe(true);
    for (const area of Object.values(ERROR_MESSAGES)) expect(Object.isFrozen(area)).toBe(true);
    expect(Object.isFrozen(ERROR_MESSAGES.cases.jurisdictionBars) && Object.isFrozen(ERROR_MESSAGES.registry.rows)).toBe(true);
    expect(Object.isFrozen(ERROR_TEXT)).toBe(true);
    expect(Object.keys(ERROR_TEXT).sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it('a node that did not answer tells the user only that; method, node and timeout go to the log fields', () => {
    const sfu = new SfuTimeoutError('produce', 'sfu-7', 5000);
    expect(sfu).toMatchObject({ code: 'SFU_TIMEOUT', message: ERROR_MESSAGES.sfu.noAnswer });
    const node = new NoAnswerError('NODE_TIMEOUT', 'event', 'sig-2', 3000);
    expect(node).toMatchObject({ code: 'NODE_TIMEOUT', message: ERROR_MESSAGES.cluster.noAnswer });
    for (const err of [sfu, node]) expect(err.message).not.toMatch(/produce|event|sfu-7|sig-2|5000|3000/);
    expect(errorFields(sfu)).toMatchObject({ errorCode: 'SFU_TIMEOUT', method: 'produce', nodeId: 'sfu-7', timeoutMs: 5000 });
  });
});
