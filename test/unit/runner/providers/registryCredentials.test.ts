import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DockerProvider } from '../../../../runner/providers/docker/dockerProvider';
import { dockerOverSsh } from '../../../../runner/providers/ssh/dockerOverSsh';
import type { SshConnection } from '../../../../runner/providers/ssh/sshConnection';

test("this machine's registry credentials go only to the local engine, and only when asked", () => {
  assert.equal(new DockerProvider().usesLocalCredentials, false, 'off by default');
  assert.equal(new DockerProvider({ useLocalCredentials: true }).usesLocalCredentials, true);
  assert.equal(
    new DockerProvider({ useLocalCredentials: true, remote: true }).usesLocalCredentials,
    false,
    'never to an engine on another machine',
  );
  // The provider for a host's engine over SSH (the connection is only used once a request is made).
  const remote = dockerOverSsh({} as SshConnection, '/var/run/docker.sock', 'box');
  assert.equal(remote.remote, true);
  assert.equal(remote.usesLocalCredentials, false);
});
