import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanCause } from '../../../../runner/presentation/engineErrors';

// Real messages, as Docker 20.10, Distribution and dockerode gave them (through the runner's errors).
const CASES: [string, string | undefined][] = [
  [
    'pulling devrig-e2e-missing:1: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host',
    'registryUnreachable',
  ],
  [
    'pulling localhost:1/foo:1: Get "http://localhost:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused',
    'registryUnreachable',
  ],
  [
    'pulling localhost:5000/nope:1: manifest for localhost:5000/nope:1 not found: manifest unknown: manifest unknown',
    'imageNotFound',
  ],
  [
    "pulling foo/bar:1: pull access denied for foo/bar, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
    'imageNotFound',
  ],
  ['inspecting image x: No such image: x:latest', 'imageNotFound'],
  [
    'pulling 127.0.0.1:5000/private:1: Head "http://127.0.0.1:5000/v2/private/manifests/1": no basic auth credentials (check the credentials for 127.0.0.1:5000)',
    'authRequired',
  ],
  ['pulling x: unauthorized: authentication required', 'authRequired'],
  ['pulling node:20: toomanyrequests: You have reached your pull rate limit.', 'rateLimited'],
  ['building devrig/x:1: write /var/lib/docker/tmp/x: no space left on device', 'noSpace'],
  ['connect ENOENT /var/run/docker.sock', 'engineUnreachable'],
  ["building devrig/x:1: The command '/bin/sh -c exit 3' returned a non-zero code: 3", 'buildStepFailed'],
  ['building devrig/x:1: Cannot locate specified Dockerfile: Dockerfile.dev', 'dockerfileNotFound'],
  ['starting container: Bind for 0.0.0.0:8080 failed: port is already allocated', 'portInUse'],
  [
    'OCI runtime create failed: exec: "/bin/nope": stat /bin/nope: no such file or directory',
    'containerStartFailed',
  ],
  ['postCreateCommand failed with exit code 2', undefined],
];

test('raw engine and registry errors get a one-line human cause', () => {
  for (const [raw, kind] of CASES) assert.equal(humanCause(raw)?.kind, kind, raw);
});

test('the cause is one line with a hint', () => {
  const c = humanCause('manifest unknown')!;
  assert.equal(c.cause, 'Image not found');
  assert.match(c.hint, /image name/);
  assert.doesNotMatch(c.cause, /\n|\.$/);
});
