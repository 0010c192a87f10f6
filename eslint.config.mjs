// The linter: typescript-eslint's recommended type-checked rules over the project's TypeScript, and
// the layering of src as import rules: at the bottom domain (pure) and util, config, logger, version;
// then app; then the edge adapters ari, api and store; at the top main, server and tools.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

// Imports are relative paths (tsconfig.json has no path aliases), so a folder is recognised by
// the folder name after the leading `../` steps.
const up = String.raw`^(\.\./)+`;
const folders = (...names) => `(${names.join('|')})(/|$)`;

const outsideSrc = { regex: `${up}${folders('tests', 'bench', 'harness')}`, message: 'src never imports tests/, bench/ or harness/.' };
const appAndBottomOnly = {
  regex: `${up}(${folders('tools')}|(main|server)$)`,
  message: 'An edge adapter imports the app and the bottom only, never tools/, main or server.',
};

/** no-restricted-imports with the given patterns, plus the one that applies to every file in src. */
const restrict = (...patterns) => ['error', { patterns: [...patterns, outsideSrc] }];

export default tseslint.config(
  { ignores: ['dist/', 'release/', 'coverage/', 'node_modules/', 'bench/results/', 'bin/', '*.config.js', '*.config.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // tsc's noUnusedLocals/noUnusedParameters conventions: a key left out by destructuring with a
      // rest (`const { secret: _s, ...rest } = env`) and a parameter named `_...` are not unused.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['tests/**/*.ts'],
    rules: {
      // Tests read the API's and the logs' JSON as `any` (tests/helpers/statusApi.ts) and check it with
      // expect(), whose matchers (expect.any, expect.objectContaining) are `any` too: a wrong field fails
      // the assertion, and typing every answer would repeat the API's types in the tests.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      // Test doubles implement the app's async interfaces with async functions that answer at once.
      '@typescript-eslint/require-await': 'off',
    },
  },

  {
    // The in-memory stores implement the async store interfaces, answering at once.
    files: ['src/app/roomStateStore.ts', 'src/domain/guardCounts.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      // Prettier wraps code at 140 but leaves long strings and comments as they are; in src those are
      // held to the 140 too. Tests may keep a long test name on one line.
      'max-len': ['error', { code: 140, ignoreUrls: true }],
    },
  },

  // The layering, from the bottom up.
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        { regex: `${up}(?!${folders('domain', 'util')})`, message: 'src/domain is pure: it imports only src/domain and src/util.' },
        {
          regex: '^(node:)?(fs|fs/promises|net|http|https|child_process|timers|timers/promises|dgram)$|^(ws|undici)$',
          message: 'src/domain is pure: no I/O and no timers.',
        },
      ),
      'no-restricted-globals': [
        'error',
        ...['setTimeout', 'setInterval', 'setImmediate', 'fetch', 'process', 'console'].map((name) => ({
          name,
          message: 'src/domain is pure: no I/O, no timers, no process; the caller passes in what it needs.',
        })),
      ],
    },
  },
  {
    files: ['src/util/**/*.ts', 'src/config/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict({
        regex: `${up}(${folders('app', 'ari', 'api', 'store', 'tools')}|(main|server)$)`,
        message: 'The bottom (domain, util, config, logger, version) imports nothing above it.',
      }),
    },
  },
  {
    files: ['src/logger.ts', 'src/version.ts', 'src/runtimeStats.ts'],
    rules: {
      'no-restricted-imports': restrict({
        regex: `^\\./(${folders('app', 'ari', 'api', 'store', 'tools')}|(main|server)$)`,
        message: 'The bottom (domain, util, config, logger, version) imports nothing above it.',
      }),
    },
  },
  {
    files: ['src/app/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict({
        regex: `${up}(${folders('ari', 'api', 'store', 'tools')}|(main|server)$)`,
        message: 'src/app imports only the bottom and itself: what it needs from the edge is a port in src/app/ports.ts.',
      }),
    },
  },
  {
    files: ['src/ari/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(appAndBottomOnly, {
        regex: `${up}${folders('api', 'store')}`,
        message: 'The edge adapters (ari, api, store) do not import each other.',
      }),
    },
  },
  {
    files: ['src/api/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(appAndBottomOnly, {
        regex: `${up}${folders('ari', 'store')}`,
        message: 'The edge adapters (ari, api, store) do not import each other.',
      }),
    },
  },
  {
    files: ['src/store/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(appAndBottomOnly, {
        regex: `${up}${folders('ari', 'api')}`,
        message: 'The edge adapters (ari, api, store) do not import each other.',
      }),
    },
  },
  {
    files: ['src/main.ts', 'src/server.ts', 'src/tools/**/*.ts'],
    rules: { 'no-restricted-imports': restrict() },
  },
  {
    // The benchmark drives Asterisk with its own driver: a change to the test helpers never changes what it measures.
    files: ['bench/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: `${up}${folders('tests')}`, message: 'bench/ never imports tests/.' }] }],
    },
  },
);
