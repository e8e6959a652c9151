// @ts-check
// One flat config for the whole repository. The dependency fences of STYLE.md live here:
// each rule says what to do instead.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [
  'assert',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'module',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'readline',
  'stream',
  'timers',
  'tls',
  'tty',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];

const otherPackages = (...names) =>
  names.map((name) => ({
    group: [name, `${name}/*`],
    message: `${name} is another deployable: meet it through the protocol schemas in @vigil/shared instead.`,
  }));

const crossPackageRelative = {
  group: [
    '../../shared/*',
    '../../../shared/*',
    '../../agent/*',
    '../../console/*',
    '../../../console/*',
    '../../keyword-lists/*',
  ],
  message: 'Import other packages by name through their exports (e.g. @vigil/shared), never by a relative path.',
};

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/.turbo/**', 'data/**', '**/*.cjs'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': [
        'error',
        { 'ts-ignore': true, 'ts-expect-error': 'allow-with-description' },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-imports': ['error', { patterns: [crossPackageRelative] }],
    },
  },
  // shared runs in the browser too: no Node, no Electron, nothing of ours.
  {
    files: ['shared/src/**/*.ts'],
    ignores: ['shared/src/node/**'],
    languageOptions: { globals: { ...globals['shared-node-browser'] } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*'],
              message:
                'shared/ runs in the browser too: use Web APIs (globalThis.crypto, TextEncoder) or move this into the package that needs Node.',
            },
            { group: ['electron'], message: 'shared/ must not depend on Electron: only agent/src/electron may.' },
            {
              group: ['@vigil/*'],
              message: 'shared/ depends on nothing of ours: move the code here or invert the dependency.',
            },
            {
              group: ['**/node', '**/node/*'],
              message:
                'shared/src/node is the Node-only layer (CLIs, list files): browser-safe shared code must not import it; pass the data in instead.',
            },
            crossPackageRelative,
          ],
          paths: NODE_BUILTINS.map((name) => ({
            name,
            message: 'shared/ runs in the browser too: use Web APIs or move this into the package that needs Node.',
          })),
        },
      ],
    },
  },
  // shared/src/node is shared's Node-only layer (the scan CLI, list files): Node built-ins are allowed there.
  {
    files: ['shared/src/node/**/*.ts'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['electron'], message: 'shared/ must not depend on Electron: only agent/src/electron may.' },
            {
              group: ['@vigil/*'],
              message: 'shared/ depends on nothing of ours: move the code here or invert the dependency.',
            },
            crossPackageRelative,
          ],
        },
      ],
    },
  },
  // The agent's engine knows nothing of the OS: adapters come in through its ports.
  {
    files: ['agent/src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*'],
              message:
                'agent/src/core talks to the OS only through ports (core/ports.ts): add a port and an adapter in agent/src/platform.',
            },
            {
              group: ['../platform/*', '../platform', '../electron/*', '../daemon', '../cli'],
              message:
                'core must not import adapters or composition roots: declare what you need in core/ports.ts and inject it from daemon.ts.',
            },
            {
              group: ['electron'],
              message: 'Only agent/src/electron imports electron: the engine is hosted, not aware of its host.',
            },
            {
              group: [
                'better-sqlite3',
                'sharp',
                'screenshot-desktop',
                'node-global-key-listener',
                'get-windows',
                'tesseract.js',
              ],
              message: 'Native and OS-facing modules belong in an adapter under agent/src/platform, behind a port.',
            },
            ...otherPackages('@vigil/console-server', '@vigil/console-web'),
            crossPackageRelative,
          ],
          paths: NODE_BUILTINS.map((name) => ({
            name,
            message:
              'agent/src/core talks to the OS only through ports (core/ports.ts): add a port and an adapter in agent/src/platform.',
          })),
        },
      ],
    },
  },
  {
    files: ['agent/src/**/*.ts'],
    ignores: ['agent/src/core/**', 'agent/src/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron'],
              message: 'Only agent/src/electron imports electron; daemon.ts and the adapters must run in plain Node.',
            },
            ...otherPackages('@vigil/console-server', '@vigil/console-web'),
            crossPackageRelative,
          ],
        },
      ],
    },
  },
  {
    files: ['console/server/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['electron'], message: 'The console is a server: it never imports electron.' },
            ...otherPackages('@vigil/agent', '@vigil/console-web'),
            crossPackageRelative,
          ],
        },
      ],
    },
  },
  {
    files: ['console/web/**/*.{ts,tsx,mjs}'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...otherPackages('@vigil/agent', '@vigil/console-server'), crossPackageRelative] },
      ],
    },
  },
  // End-to-end tests use public entry points only: CLIs and HTTP, never package internals.
  {
    files: ['test/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@vigil/agent', '@vigil/agent/*', '@vigil/console-server', '@vigil/console-server/*'],
              message:
                'End-to-end tests drive the real processes through their CLIs and HTTP APIs; import only @vigil/shared schemas.',
            },
            crossPackageRelative,
          ],
        },
      ],
    },
  },
);
