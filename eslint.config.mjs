import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-artifacts/**', '.bench/**', '**/*.vsix'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
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
      // Only runner/providers may talk to Docker or act as an SSH client; only runner/gateway runs an SSH server.
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'dockerode', message: 'Only runner/providers/ imports dockerode.' },
            {
              name: 'ssh2',
              message: 'Only runner/providers/ (client) and runner/gateway/ (server) import ssh2.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['runner/providers/**', 'runner/gateway/**', 'test/**', 'bench/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
