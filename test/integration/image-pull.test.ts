// Image pulls through DockerProvider's ordinary pull path from a real loopback registry: with progress,
// and from a registry with basic auth (credentials from the user's docker config; a wrong password is a
// clear error that changes nothing).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { DockerProvider } from '../../runner/providers/docker/dockerProvider';
import { BASE_IMAGE, docker, requireDocker } from '../helpers/docker';
import { removeProjects, tempDir } from '../helpers/project';
import { pushImage, startRegistry, type TestRegistry } from '../helpers/registry';

const run = promisify(execFile);
const TEST_LABEL = 'devrig.test';
const TEST_VALUE = `image-pull-${process.pid}`;

/** Builds an image with a layer of its own (random bytes), so pulling it really downloads something. */
async function uniqueImage(tag: string): Promise<void> {
  const context = tempDir('devrig-pull-image-');
  writeFileSync(
    path.join(context, 'Dockerfile'),
    `FROM ${BASE_IMAGE}\nRUN head -c 3000000 /dev/urandom > /unique-${randomBytes(4).toString('hex')}\n`,
  );
  await run('docker', ['build', '-q', '--label', `${TEST_LABEL}=${TEST_VALUE}`, '-t', tag, context]);
}

/** Removes a tag (and the image once it has no tag left); the base's layers stay. */
async function untag(ref: string): Promise<void> {
  await docker
    .getImage(ref)
    .remove()
    .catch(() => {});
}

async function present(ref: string): Promise<boolean> {
  return docker
    .getImage(ref)
    .inspect()
    .then(() => true)
    .catch(() => false);
}

/** A docker config folder with one `auths` entry. */
function dockerConfig(registry: string, user: string, password: string): string {
  const dir = tempDir('devrig-docker-config-');
  const auth = Buffer.from(`${user}:${password}`).toString('base64');
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: { [registry]: { auth } } }));
  return dir;
}

async function withDockerConfig<T>(dir: string, body: () => Promise<T>): Promise<T> {
  const saved = process.env.DOCKER_CONFIG;
  process.env.DOCKER_CONFIG = dir;
  try {
    return await body();
  } finally {
    if (saved === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = saved;
  }
}

describe('image pulls from a loopback registry', () => {
  let open: TestRegistry;
  let locked: TestRegistry;
  const local = `devrig-pull-source:${process.pid}`;
  const pulled: string[] = [];

  before(async () => {
    await requireDocker();
    [open, locked] = await Promise.all([
      startRegistry(),
      startRegistry({ auth: { username: 'puller', password: 'right' } }),
    ]);
    await uniqueImage(local);
  });

  after(async () => {
    for (const ref of pulled) await untag(ref);
    await untag(local);
    await Promise.all([open?.stop(), locked?.stop()]);
    removeProjects();
  });

  test('a pull downloads with progress in the log', async () => {
    const ref = await pushImage(open, local, 'devrig-test/pull:1');
    pulled.push(ref);
    await untag(ref);
    // The unique layer must come from the registry: drop the local image that holds it.
    const localId = (await docker.getImage(local).inspect()).Id;
    await untag(local);
    const lines: string[] = [];
    const image = await new DockerProvider().ensureImage({ kind: 'image', ref }, (l) => lines.push(l));
    assert.equal(image.action, 'pulled');
    assert.equal(image.id, localId, 'the same image, by id');
    assert.equal(image.labels[TEST_LABEL], TEST_VALUE, 'labels are reported');
    assert.equal(lines[0], `Pulling ${ref}`);
    assert.ok(
      lines.some((l) => /: Downloading \d+% of /.test(l)),
      `download progress in:\n${lines.join('\n')}`,
    );
    assert.ok(lines.some((l) => /: Pull complete$/.test(l)));
    await run('docker', ['tag', ref, local]);
  });

  test('basic auth: the docker config credentials pull; a wrong password is a clear error and changes nothing', async () => {
    const ref = await pushImage(locked, local, 'devrig-test/private:1');
    pulled.push(ref);
    await untag(ref);
    const provider = new DockerProvider({ useLocalCredentials: true });

    const wrong = dockerConfig(locked.address, 'puller', 'wrong');
    const before = (await docker.listImages()).length;
    await assert.rejects(
      withDockerConfig(wrong, () => provider.ensureImage({ kind: 'image', ref }, () => {})),
      (e: Error) => {
        assert.match(e.message, new RegExp(`^pulling ${ref.replace(/[.]/g, '\\.')}: `));
        assert.match(e.message, /unauthorized|authentication required|no basic auth credentials/i);
        assert.match(
          e.message,
          new RegExp(`check the credentials for ${locked.address.replace(/[.]/g, '\\.')}`),
        );
        return true;
      },
    );
    assert.equal(await present(ref), false);
    assert.equal((await docker.listImages()).length, before, 'no image added or removed');

    const anonymous = new DockerProvider();
    await assert.rejects(
      anonymous.ensureImage({ kind: 'image', ref }, () => {}),
      /check the credentials/,
    );

    const right = dockerConfig(locked.address, 'puller', 'right');
    const image = await withDockerConfig(right, () => provider.ensureImage({ kind: 'image', ref }, () => {}));
    assert.equal(image.action, 'pulled');
    assert.equal(await present(ref), true);
  });
});
