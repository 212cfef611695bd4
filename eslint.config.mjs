import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

// The layers, bottom first. Imports point down only: a file imports from its own layer and the
// layers below it, and a program never imports another program. README.md ("How it works") draws
// the same graph; a unit test (test/unit/eslint.config.test.ts) shows a wrong import failing.
export const LAYERS = {
  /** Schemas, protocol, condition catalogue: what crosses a socket. Imports only zod. */
  api: ['runner/api'],
  /**
   * What every program shares: the client library (connect/launch, read-modify-write, naming,
   * access), the state folder, pure modules (SSH config text, presentation of phases,
   * devcontainer.json parsing, the runner's config file) and small utilities.
   */
  shared: [
    'runner/client',
    'runner/state',
    'runner/util',
    'runner/devcontainer',
    'runner/config',
    'runner/sshConfig',
    'runner/presentation',
    'runner/policy',
  ],
  /** The programs, on top; none imports another. */
  programs: {
    'the runner daemon': [
      'runner/main.ts',
      'runner/runner.ts',
      'runner/shutdown.ts',
      'runner/server',
      'runner/store',
      'runner/reconcile',
      'runner/providers',
      'runner/gateway',
      'runner/hosts',
      'runner/addons',
      'runner/activity',
      'runner/automations',
      'runner/dotfiles',
      'runner/ports',
      'runner/secrets',
      'runner/sessions',
      'runner/logs',
      'runner/git',
      'runner/features',
      'runner/compose',
      'runner/stats',
    ],
    'the CLI': ['runner/cli'],
    'the extension': ['extension'],
    'the webview': ['webview'],
  },
};

const DOCKERODE = { name: 'dockerode', message: 'Only runner/providers/ imports dockerode.' };
const SSH2 = {
  name: 'ssh2',
  message: 'Only runner/providers/ (client) and runner/gateway/ (server) import ssh2.',
};
const VSCODE = {
  name: 'vscode',
  message: 'Only the extension imports vscode (shared modules run in the CLI and the webview too).',
};

const programs = Object.entries(LAYERS.programs);
const allPrograms = programs.flatMap(([, folders]) => folders);

/** One no-restricted-paths zone per layer: what it must not import. */
const layerZones = [
  {
    target: LAYERS.api,
    from: [...LAYERS.shared, ...allPrograms],
    message: 'runner/api is the bottom layer: it imports nothing of devrig outside runner/api.',
  },
  {
    target: LAYERS.shared,
    from: allPrograms,
    message: 'Shared modules import only runner/api and other shared modules, never a program.',
  },
  ...programs.map(([name, folders]) => ({
    target: folders,
    from: programs.filter(([other]) => other !== name).flatMap(([, f]) => f),
    message: `${name} imports only shared layers (runner/api, runner/client, ...), never another program.`,
  })),
  {
    // Steps run against any engine (and a fake in tests): only the ContainerProvider interface.
    target: ['runner/reconcile'],
    from: ['runner/providers/docker', 'runner/providers/ssh'],
    message: 'Reconcile steps use only the ContainerProvider interface (runner/providers/provider.ts).',
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-artifacts/**', '.bench/**', '**/*.vsix'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.json', '.d.ts'] }),
      ],
    },
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      'preserve-caught-error': 'off',
      'no-restricted-imports': ['error', { paths: [DOCKERODE, SSH2] }],
    },
  },
  {
    files: ['runner/**/*.ts', 'extension/**/*.ts', 'webview/**/*.ts'],
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: layerZones }],
      // No import cycles between files (imports that run; test/importCycles.mjs counts type-only ones too).
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  // Only runner/providers may talk to Docker or act as an SSH client; only runner/gateway runs an
  // SSH server; only the extension talks to VS Code.
  {
    files: ['runner/**', 'webview/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [DOCKERODE, SSH2, VSCODE] }] },
  },
  { files: ['runner/providers/**'], rules: { 'no-restricted-imports': ['error', { paths: [VSCODE] }] } },
  {
    files: ['runner/gateway/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [DOCKERODE, VSCODE] }] },
  },
  { files: ['test/**', 'bench/**'], rules: { 'no-restricted-imports': 'off' } },
);
