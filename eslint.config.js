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
  {
    // Only the crypto module may use node:crypto for security (DESIGN §3). Build scripts hash cache keys only.
    files: ['signaling/src/**/*.ts', 'sfu-server/src/**/*.ts', 'shared/src/**/*.ts'],
    ignores: ['signaling/src/security/crypto.ts', '**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'node:crypto', message: 'use signaling/src/security/crypto.ts' }, { name: 'crypto', message: 'use signaling/src/security/crypto.ts' }] }] },
  },
);
