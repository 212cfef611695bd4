import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Environment } from '../../../../runner/api';
import { configFileOf, configLocation } from '../../../../runner/presentation/configLocation';
import { failureSummary, summarizeFailure } from '../../../../runner/presentation/failureSummary';

test('configLocation: the file:line:col a config error starts with', () => {
  assert.deepEqual(
    configLocation('/p/.devcontainer/devcontainer.json:4:3: expected a comma before this (CommaExpected)'),
    {
      file: '/p/.devcontainer/devcontainer.json',
      line: 4,
      column: 3,
      message: 'expected a comma before this (CommaExpected)',
    },
  );
  assert.deepEqual(configLocation('/a b/x.json:12: "image" must be a string'), {
    file: '/a b/x.json',
    line: 12,
    column: 1,
    message: '"image" must be a string',
  });
  assert.equal(configLocation('pulling x: dial tcp 127.0.0.1:1: connect: connection refused'), undefined);
  assert.equal(
    configFileOf('/p/.devcontainer/devcontainer.json: no such file'),
    '/p/.devcontainer/devcontainer.json',
  );
});

test('a config error: its own words, where it is, no engine hint', () => {
  const f = summarizeFailure(
    'ConfigInvalid',
    '/p/devcontainer.json:3:26: "forwardPorts[1]" must be a number',
  );
  assert.equal(f.kind, 'config');
  assert.equal(f.headline, 'Config invalid');
  assert.deepEqual([f.location?.line, f.location?.column, f.configFile], [3, 26, '/p/devcontainer.json']);
  assert.equal(f.hint, undefined);
});

test('an environment failing to pull: the human cause first, the raw text kept, the retries', () => {
  const raw =
    'pulling nope:1: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host';
  const env = {
    status: {
      phase: 'Failed',
      conditions: [
        {
          type: 'ImageReady',
          status: 'False',
          reason: 'PullFailed',
          message: raw,
          lastTransitionTime: '2024-05-01T12:00:00Z',
          observedGeneration: 1,
        },
      ],
      configFile: '/p/.devcontainer/devcontainer.json',
      retry: { attempts: 2, nextAttemptAt: '2024-05-01T12:00:04Z', error: raw },
    },
  } as unknown as Environment;
  const f = failureSummary(env)!;
  assert.equal(f.kind, 'image');
  assert.equal(f.headline, 'The registry cannot be reached');
  assert.equal(f.raw, raw);
  assert.equal(f.configFile, '/p/.devcontainer/devcontainer.json');
  assert.equal(f.retry?.attempts, 2);
  assert.equal(
    failureSummary({ status: { phase: 'Running', conditions: [] } } as unknown as Environment),
    undefined,
  );
});

test('lifecycle and unknown failures', () => {
  assert.equal(summarizeFailure('PostCreateCommandFailed', 'exit code 2').kind, 'lifecycle');
  assert.equal(
    summarizeFailure('PostCreateCommandFailed', 'exit code 2').headline,
    'Post create command failed',
  );
  assert.equal(summarizeFailure('Failed', 'something odd').kind, 'other');
});
