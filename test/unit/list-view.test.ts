import path from 'node:path';
import { createElement, type ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/server.js';

interface ListViewProps {
  rows: readonly string[] | undefined;
  error?: string;
  loading?: boolean;
  empty: ReactNode;
  columns?: readonly ReactNode[];
  row: (item: string) => ReactNode;
  testId?: string;
  errorTestId?: string;
  errorText?: (error: string) => ReactNode;
  compact?: boolean;
}

// The console's module is bundled by Vite (extension-less imports, JSX); vitest loads it the same way at run time.
const render = async (props: ListViewProps) => {
  const { ListView } = (await import(path.join(REPO, 'county-console/src/components/ListView.tsx'))) as { ListView: (p: ListViewProps) => ReactNode };
  return renderToStaticMarkup(createElement(ListView, props));
};
const row = (s: string) => createElement('tr', { key: s, 'data-testid': `row-${s}` }, createElement('td', null, s));
const LOADING = '<p class="hint">正在加载……</p>';

// The one body of the console's lists: loading, error, empty and table lines, each only when it applies.
describe('ListView', () => {
  it('before the first answer shows the loading line only, and nothing when the screen has none', async () => {
    expect(await render({ rows: undefined, loading: true, empty: '暂无', row })).toBe(LOADING);
    expect(await render({ rows: undefined, empty: '暂无', row })).toBe('');
  });

  it('says a failed load in Chinese, with its test id, and never calls the list empty', async () => {
    const html = await render({ rows: [], error: 'HTTP 500', errorTestId: 'x-error', empty: '暂无', row });
    expect(html).toBe('<p class="error" data-testid="x-error">加载失败：HTTP 500</p>');
    expect(await render({ rows: undefined, error: '服务器说的话', errorText: (e) => e, empty: '暂无', row })).toBe('<p class="error">服务器说的话</p>');
  });

  it('an empty answer shows the empty line and no table', async () => {
    expect(await render({ rows: [], empty: '暂无待办', columns: ['甲'], testId: 't', row })).toBe('<p class="empty">暂无待办</p>');
  });

  it('rows make a table with its test id, column headings and the rows in order', async () => {
    const html = await render({ rows: ['a', 'b'], empty: '暂无', columns: ['甲', ''], testId: 'cases-table', row });
    expect(html).toBe(
      '<table class="table" data-testid="cases-table"><thead><tr><th scope="col">甲</th><th scope="col"></th></tr></thead>' +
        '<tbody><tr data-testid="row-a"><td>a</td></tr><tr data-testid="row-b"><td>b</td></tr></tbody></table>',
    );
    expect(await render({ rows: ['a'], empty: '暂无', row })).toBe('<table class="table"><tbody><tr data-testid="row-a"><td>a</td></tr></tbody></table>');
  });

  it('a compact list (the registry search in the admin page) gets the tighter table, and its empty line is the same', async () => {
    expect(await render({ rows: ['a'], empty: '暂无', compact: true, testId: 'link-results', row })).toBe(
      '<table class="table compact" data-testid="link-results"><tbody><tr data-testid="row-a"><td>a</td></tr></tbody></table>',
    );
    expect(await render({ rows: [], empty: '干部档案中没有匹配的人员', compact: true, row })).toBe('<p class="empty">干部档案中没有匹配的人员</p>');
  });

  it('rows already shown stay under a later error (an older page that failed); a reload may keep its loading line up', async () => {
    const html = await render({ rows: ['a'], error: 'network', empty: '暂无', row });
    expect(html).toBe('<p class="error">加载失败：network</p><table class="table"><tbody><tr data-testid="row-a"><td>a</td></tr></tbody></table>');
    expect(await render({ rows: ['a'], loading: true, empty: '暂无', row })).toBe(
      `${LOADING}<table class="table"><tbody><tr data-testid="row-a"><td>a</td></tr></tbody></table>`,
    );
  });
});
