import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // The kiosk's service worker is plain JavaScript served as is.
    files: ['kiosk-client/public/sw.js'],
    languageOptions: { globals: { self: 'readonly', caches: 'readonly', fetch: 'readonly', URL: 'readonly', Response: 'readonly', Promise: 'readonly' } },
  },
  {
    files: ['kiosk-client/**/*.{ts,tsx}', 'county-console/**/*.{ts,tsx}', 'shared/src/client/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  // The architecture, held by the build (DESIGN §6). Each area lists what it may not import; ESLint takes one
  // no-restricted-imports setting per file, so an area's setting repeats the crypto rule where that applies.
  ...architecture(),
);

function architecture() {
  // Only the crypto module may use node:crypto for security (DESIGN §3).
  const crypto = [
    { name: 'node:crypto', message: 'use signaling/src/security/crypto.ts' },
    { name: 'crypto', message: 'use signaling/src/security/crypto.ts' },
  ];
  // Route files are mounted by http/app.ts and nothing else: logic others need lives in a service.
  const routes = { group: ['**/routes/*'], message: 'a route file is mounted by http/app.ts only; move what you need into a service' };
  const siblingRoute = { group: ['./*'], message: 'a route file is mounted by http/app.ts only; move what you need into a service' };
  const server = (...names) => names.map((n) => ({ group: [n, `${n}/*`], message: 'a browser app or the browser kit never imports server code' }));
  const relativeInto = (dir, message) => ({ group: [`../**/${dir}/*`, `../**/${dir}`], message });
  const rule = (paths, patterns) => ({ 'no-restricted-imports': ['error', { paths, patterns }] });
  const notTests = ['**/*.test.ts', '**/*.test.tsx'];
  return [
    {
      // The browser apps import only @vj/shared (isomorphic schemas) and its browser kit, @vj/shared/client.
      files: ['kiosk-client/src/**/*.{ts,tsx}', 'county-console/src/**/*.{ts,tsx}', 'shared/src/client/**/*.ts'],
      ignores: notTests,
      rules: rule(crypto, [
        ...server('@vj/signaling', '@vj/sfu-server', '@vj/shared/node'),
        { group: ['node:*'], message: 'browser code has no Node built-ins' },
        relativeInto('node', 'the browser kit never imports the servers\' shared code (shared/src/node)'),
        relativeInto('signaling', 'a browser app never imports server code'),
        relativeInto('sfu-server', 'a browser app never imports server code'),
        { group: ['../../shared/*', '../../../shared/*'], message: 'import @vj/shared or @vj/shared/client, not its files' },
      ]),
    },
    {
      // shared depends on nothing of ours: every other workspace depends on it. Its root is bundled into the
      // browser apps, so only shared/src/node (the servers' own entry, @vj/shared/node) may hold Node code.
      files: ['shared/src/**/*.ts'],
      ignores: [...notTests, 'shared/src/client/**'],
      rules: rule(crypto, [
        { group: ['@vj/*'], message: 'shared depends on nothing of ours' },
        { group: ['./node/*', './node'], message: 'the root of shared reaches browsers: only @vj/shared/node may export server code' },
        relativeInto('signaling', 'shared depends on nothing of ours'),
        relativeInto('sfu-server', 'shared depends on nothing of ours'),
        relativeInto('kiosk-client', 'shared depends on nothing of ours'),
        relativeInto('county-console', 'shared depends on nothing of ours'),
      ]),
    },
    {
      // The SFU is driven by signaling through SfuApi; it never reaches back into it.
      files: ['sfu-server/src/**/*.ts'],
      ignores: notTests,
      rules: rule(crypto, [...server('@vj/signaling'), relativeInto('signaling', 'sfu-server never imports signaling')]),
    },
    {
      files: ['signaling/src/**/*.ts'],
      ignores: [...notTests, 'signaling/src/security/crypto.ts', 'signaling/src/http/app.ts'],
      rules: rule(crypto, [routes]),
    },
    {
      // The cluster layer is infrastructure (bus, ownership, queue): the layers above use it, never the reverse.
      files: ['signaling/src/cluster/**/*.ts'],
      ignores: notTests,
      rules: rule(crypto, [
        routes,
        ...['realtime', 'sessions', 'http', 'petitions', 'cases', 'recording'].map((d) => ({ group: [`../${d}/*`], message: 'the cluster layer never imports the layers built on it' })),
        { group: ['../context.js'], message: 'the cluster layer never imports the app context' },
      ]),
    },
    {
      files: ['signaling/src/http/routes/*.ts'],
      ignores: notTests,
      rules: rule(crypto, [routes, siblingRoute]),
    },
    {
      // The one file that mounts the routes.
      files: ['signaling/src/http/app.ts'],
      rules: rule(crypto, []),
    },
  ];
}
