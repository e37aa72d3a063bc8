import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/server.js';
import { HALF_WIDTH_AFTER_CJK } from '../helpers/typography.js';

/** The string tables people read: the kiosk's, the console's, and the shared client's. */
const TABLES = [
  'kiosk-client/src/strings.ts',
  'county-console/src/strings.ts',
  'county-console/src/case-strings.ts',
  'county-console/src/recording-strings.ts',
  'county-console/src/audit-strings.ts',
  'county-console/src/satisfaction-strings.ts',
  ...fs
    .readdirSync(path.join(REPO, 'shared/client/src'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => `shared/client/src/${f}`),
];

/** Every source file under `dir` ending in `ext`, tests and declarations left out. */
function sourcesUnder(dir: string, ext = '.ts'): string[] {
  return fs
    .readdirSync(path.join(REPO, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(ext) && !f.endsWith(`.test${ext}`) && !f.endsWith('.d.ts'))
    .map((f) => `${dir}/${f}`);
}
/** Every server source file: its Chinese error messages and import reports reach the console as they are. */
const SERVER = [...sourcesUnder('signaling/src'), ...sourcesUnder('sfu-server/src'), ...sourcesUnder('shared/src')];
/** Every screen's source: punctuation written in the markup beside a string from a table. */
const SCREENS = ['county-console/src', 'kiosk-client/src', 'shared/client/src'].flatMap((dir) => sourcesUnder(dir, '.tsx'));

/** The text of every node of `file` that `pick` picks, with its line. */
function texts(file: string, pick: (node: ts.Node) => string | undefined): { text: string; line: number }[] {
  const kind = file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const src = ts.createSourceFile(file, fs.readFileSync(path.join(REPO, file), 'utf8'), ts.ScriptTarget.ES2022, true, kind);
  const out: { text: string; line: number }[] = [];
  const visit = (node: ts.Node): void => {
    const text = pick(node);
    if (text !== undefined) out.push({ text, line: src.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
    ts.forEachChild(node, visit);
  };
  visit(src);
  return out;
}

/** Every piece of literal text in a file (strings and the fixed parts of templates), not its comments. */
const literals = (file: string) =>
  texts(file, (node) =>
    ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)
      ? node.text
      : undefined,
  );

/** The markup's own text that begins with half-width punctuation: it follows an expression (`{T.pin}:`), as a label's colon does. */
const punctuatedMarkup = (file: string) => texts(file, (node) => (ts.isJsxText(node) && /^\s*[,!?:;]/u.test(node.text) ? node.text.trim() : undefined));

describe('typography of user-facing Chinese', () => {
  it('the check itself catches half-width punctuation after Chinese and passes full-width', () => {
    for (const bad of ['您好!请按', '已接通:张三', '请稍候,马上', '是吗?', '一;二', '（工）委,', '镇街纪(工)委', '意见(可不填)', '(注)正文'])
      expect(HALF_WIDTH_AFTER_CJK.test(bad), bad).toBe(true);
    for (const good of ['您好！请按', '已接通：张三', 'max 1, min 0', '10:30', '请输入 10 位查询号', '意见（可不填）', 'f(x) (y)'])
      expect(HALF_WIDTH_AFTER_CJK.test(good), good).toBe(false);
  });

  it('no string table puts a half-width , ! ? : ; or bracket directly beside a Chinese character', () => {
    const found: string[] = [];
    for (const file of TABLES) {
      for (const { text, line } of literals(file)) if (HALF_WIDTH_AFTER_CJK.test(text)) found.push(`${file}:${line} ${text}`);
    }
    expect(found).toEqual([]);
  });

  it('nor does any screen write a half-width , ! ? : or ; in its markup after a string (a label and its colon)', () => {
    expect(SCREENS.length).toBeGreaterThan(10);
    const found: string[] = [];
    for (const file of SCREENS) for (const { text, line } of punctuatedMarkup(file)) found.push(`${file}:${line} ${text}`);
    expect(found).toEqual([]);
  });

  it('nor does any message the server sends (errors, import reports)', () => {
    const found: string[] = [];
    for (const file of SERVER) {
      for (const { text, line } of literals(file)) if (HALF_WIDTH_AFTER_CJK.test(text)) found.push(`${file}:${line} ${text}`);
    }
    expect(found).toEqual([]);
  });
});
