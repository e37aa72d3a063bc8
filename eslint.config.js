import fs from 'node:fs';
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';
import { workspaceBoundary } from './scripts/lib/workspace-boundary.mjs';

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
      // Prettier wraps code at 160 but not comments, strings or SQL: comments are held to it here. A string or
      // template (SQL, a Chinese text) may run longer, and so may an eslint-disable comment, which must be one line.
      'max-len': [
        'error',
        { code: 160, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true, ignorePattern: '^\\s*// eslint-disable' },
      ],
    },
  },
  {
    // The kiosk's service worker is plain JavaScript served as is.
    files: ['kiosk-client/public/sw.js'],
    languageOptions: { globals: { self: 'readonly', caches: 'readonly', fetch: 'readonly', URL: 'readonly', Response: 'readonly', Promise: 'readonly' } },
  },
  {
    files: ['kiosk-client/**/*.{ts,tsx}', 'county-console/**/*.{ts,tsx}', 'shared/client/src/**/*.ts'],
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
  // Code that reaches a browser: no Node built-in (bare or node:), and no package only the servers depend on
  // (read from the package.json files, so a new server dependency is refused without editing this list).
  const serverPackages = serverOnlyPackages();
  const nodeOnly = (why) => {
    const message = `${why}, so no Node built-in`;
    const packageMessage = `${why}, so no package only the servers depend on (a browser package that needs one declares it)`;
    return {
      paths: [...builtinModules.map((name) => ({ name, message })), ...serverPackages.map((name) => ({ name, message: packageMessage }))],
      patterns: [
        { group: ['node:*'], message },
        { group: serverPackages.map((n) => `${n}/*`), message: packageMessage },
      ],
    };
  };
  // Route files are mounted by http/app.ts and nothing else: logic others need lives in a service.
  const routes = { group: ['**/routes/*'], message: 'a route file is mounted by http/app.ts only; move what you need into a service' };
  const siblingRoute = { group: ['./*'], message: 'a route file is mounted by http/app.ts only; move what you need into a service' };
  const packages = (names, message) => names.map((n) => ({ group: [n, `${n}/*`], message }));
  const rule = (paths, patterns) => ({ 'no-restricted-imports': ['error', { paths, patterns }] });
  const notTests = ['**/*.test.ts', '**/*.test.tsx'];
  const browser = nodeOnly('browser code runs in a browser');
  const sharedRoot = nodeOnly('@vj/shared is bundled into both browser apps (server code shared by the servers goes in @vj/rpc)');
  const sources = (dirs) => dirs.flatMap((d) => [`${d}/**/*.ts`, `${d}/**/*.tsx`]);
  const dynamicImport = { selector: 'ImportExpression', message: 'import statically, so the architecture rules see what this file depends on' };
  // What a user reads in an error is written in one place, in Chinese: an AppError's message comes from the catalog,
  // never a string or template written where it is thrown (a literal in either branch of a ?: included).
  const catalog = 'take the message from ERROR_MESSAGES in shared/src/error-messages.ts (add the text there, in Chinese)';
  const textual = ['Literal', 'TemplateLiteral'];
  const messageAt = (call) =>
    textual.flatMap((t) => [`${call}[arguments.1.type="${t}"]`, `${call}[arguments.1.consequent.type="${t}"]`, `${call}[arguments.1.alternate.type="${t}"]`]);
  const literalMessage = [
    ...messageAt('NewExpression[callee.name=/^(AppError|NoAnswerError)$/]'),
    ...messageAt('ClassDeclaration[superClass.name="AppError"] CallExpression[callee.type="Super"]'),
  ].map((selector) => ({ selector, message: catalog }));
  // A handler that drops the failure: an empty body, or one that only returns nothing, a constant or an empty value.
  const handler = '/^(ArrowFunctionExpression|FunctionExpression)$/';
  const dropped = (at) => [
    `[${at}.body.type="BlockStatement"][${at}.body.body.length=0]`,
    `[${at}.body.type="Literal"]`,
    `[${at}.body.type="Identifier"][${at}.body.name="undefined"]`,
    `[${at}.body.type="UnaryExpression"][${at}.body.operator="void"]`,
    `[${at}.body.type="ArrayExpression"][${at}.body.elements.length=0]`,
    `[${at}.body.type="ObjectExpression"][${at}.body.properties.length=0]`,
    `[${at}.body.type="TSAsExpression"][${at}.body.expression.type=/^(Literal|ArrayExpression|ObjectExpression|Identifier)$/]`,
  ];
  const silent = 'a silent catch: log what failed and what follows, or say in an eslint-disable comment why dropping it is safe';
  const silentCatch = [
    ...dropped('arguments.0').map((body) => `CallExpression[callee.property.name="catch"][arguments.0.type=${handler}]${body}`),
    ...dropped('arguments.1').map((body) => `CallExpression[callee.property.name="then"][arguments.1.type=${handler}]${body}`),
  ].map((selector) => ({ selector, message: silent }));
  // A type written as import('…') would pass no-restricted-imports unseen: types come in by `import type`.
  const typeImport = { selector: 'TSImportType', message: 'import the type with `import type`, so the architecture rules see what this file depends on' };
  return [
    {
      // Every package reaches another by its name only; relative paths stay at home (scripts/lib/workspace-boundary.mjs).
      // Tests may reach the test helpers at the repository root.
      files: sources(['shared/src', 'shared/client/src', 'shared/rpc/src', 'sfu-server/src', 'signaling/src', 'kiosk-client/src', 'county-console/src']),
      ignores: notTests,
      // A dynamic import() would pass no-restricted-imports unseen, so modules load by static imports only.
      plugins: { vj: { rules: { 'workspace-boundary': workspaceBoundary } } },
      rules: {
        'vj/workspace-boundary': 'error',
        'no-restricted-syntax': ['error', dynamicImport, typeImport, ...literalMessage],
      },
    },
    {
      // A failure the server swallows without a word is a failure nobody can find: a catch either logs what failed
      // and what follows from it, or carries an eslint-disable comment whose reason says why dropping it is safe.
      files: sources(['shared/rpc/src', 'sfu-server/src', 'signaling/src']),
      ignores: notTests,
      rules: { 'no-restricted-syntax': ['error', dynamicImport, typeImport, ...silentCatch, ...literalMessage] },
    },
    {
      // The browser apps and the browser kit import, of ours, only the kit (@vj/client) and the protocol (@vj/shared's
      // root); @vj/rpc, the servers and the other app are refused, and so is anything only Node runs.
      files: sources(['kiosk-client/src', 'county-console/src', 'shared/client/src']),
      ignores: notTests,
      rules: rule(browser.paths, [
        { regex: '^@vj/(?!(client|client/jitless|shared)$)', message: 'a browser app imports only @vj/client (the browser kit) and @vj/shared (the protocol)' },
        ...browser.patterns,
      ]),
    },
    {
      // shared depends on nothing of ours: every other package depends on it. It is bundled into the browser apps,
      // so it holds no Node code.
      files: ['shared/src/**/*.ts'],
      ignores: notTests,
      rules: rule(sharedRoot.paths, [{ group: ['@vj/*'], message: 'shared depends on nothing of ours' }, ...sharedRoot.patterns]),
    },
    {
      // Request and reply between server nodes: of ours it knows only the protocol, never a server or browser code.
      files: ['shared/rpc/src/**/*.ts'],
      ignores: notTests,
      rules: rule(crypto, [{ regex: '^@vj/(?!shared$)', message: '@vj/rpc depends only on @vj/shared of ours' }]),
    },
    {
      // The SFU is driven by signaling through SfuApi; it never reaches back into it, nor into browser code.
      files: ['sfu-server/src/**/*.ts'],
      ignores: notTests,
      rules: rule(crypto, [
        ...packages(['@vj/signaling'], 'sfu-server never imports signaling'),
        ...packages(['@vj/client', '@vj/kiosk-client', '@vj/county-console'], 'a server never imports browser code'),
      ]),
    },
    {
      files: ['signaling/src/**/*.ts'],
      ignores: [...notTests, 'signaling/src/security/crypto.ts', 'signaling/src/http/app.ts'],
      rules: rule(crypto, [routes, ...packages(['@vj/client', '@vj/kiosk-client', '@vj/county-console'], 'a server never imports browser code')]),
    },
    {
      // The cluster layer is infrastructure (bus, ownership, queue): the layers above use it, never the reverse.
      files: ['signaling/src/cluster/**/*.ts'],
      ignores: notTests,
      rules: rule(crypto, [
        routes,
        // An allow-list, not a list of what is refused: of the rest of signaling it knows ids (crypto) and the shape
        // of an alert operation it carries on the bus; a new folder above it is refused without anyone listing it.
        {
          regex: '^\\.\\./(?!(security/crypto|alerts/alert-service)\\.js$)',
          message: 'the cluster layer never imports the layers built on it (it may reach security/crypto.js and the alert operation type only)',
        },
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

/** Packages the servers depend on and no browser package does (the browser kit, the apps, the root of shared). */
function serverOnlyPackages() {
  const manifest = (dir) => JSON.parse(fs.readFileSync(`${import.meta.dirname}/${dir}/package.json`, 'utf8'));
  const names = (dirs, fields) => dirs.flatMap((d) => fields.flatMap((f) => Object.keys(manifest(d)[f] ?? {})));
  const browser = new Set([
    ...names(['shared/client', 'kiosk-client', 'county-console'], ['dependencies', 'peerDependencies']),
    ...names(['shared'], ['dependencies']),
  ]);
  return [...new Set(names(['sfu-server', 'signaling', 'shared/rpc'], ['dependencies']))].filter((n) => !browser.has(n)).sort();
}
