import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_IMAGE, docker, requireDocker } from '../helpers/docker';
import { makeProject, removeProjects, tempDir } from '../helpers/project';
import { cleanupRunner, startRunner, type TestRunner } from '../helpers/runnerProcess';
import { waitFor } from '../helpers/wait';

/** Images built for environment `name` by this test's runner. */
const builtFor = async (name: string) =>
  (await docker.listImages({ filters: { label: [`devrig.environment=${name}`] } })).flatMap(
    (i) => i.RepoTags ?? [],
  );

describe('build contexts stay inside; built images go with their environment', () => {
  let r: TestRunner;
  let secret: string;
  before(async () => {
    await requireDocker();
    r = await startRunner();
    secret = join(tempDir('devrig-secret-'), 'id_ed25519');
    writeFileSync(secret, 'TOP-SECRET-KEY-MATERIAL\n');
  });
  after(async () => {
    await cleanupRunner(r);
    removeProjects();
  });

  const names = async () =>
    (await r.client.call('list', { kind: 'Environment' })).items.map((e) => e.metadata.name);

  test('a link in the context to a file outside is refused; nothing is built', async () => {
    const folder = makeProject(
      { build: { dockerfile: 'Dockerfile', context: '..' } },
      { '.devcontainer/Dockerfile': `FROM ${BASE_IMAGE}\nCOPY leak /leak\n` },
    );
    symlinkSync(secret, join(folder, 'leak'));
    const up = await r.cli(['up', folder, '--name', 'leaky', '--timeout', '120']);
    assert.equal(up.code, 1, up.stdout);
    assert.match(up.stderr, /BuildFailed: .*leak is a symbolic link to .*id_ed25519, outside the context/);
    assert.doesNotMatch(up.stderr + up.stdout, /TOP-SECRET/);
    assert.deepEqual(await builtFor('leaky'), []);
    assert.equal((await r.cli(['delete', 'leaky'])).code, 0);
  });

  test('a Dockerfile outside the project is refused where it is written; nothing is stored', async () => {
    const folder = makeProject(`{\n  "build": { "dockerfile": ${JSON.stringify(secret)} }\n}`);
    const up = await r.cli(['up', folder, '--name', 'outside']);
    assert.equal(up.code, 1);
    assert.match(
      up.stderr,
      /devcontainer\.json:2:28: "build\.dockerfile" is \/.*id_ed25519, outside the build context/,
    );
    assert.doesNotMatch(up.stderr, /TOP-SECRET/);
    assert.ok(!(await names()).includes('outside'));
  });

  test('"/" as the context is refused with how to allow it; nothing is stored', async () => {
    const folder = makeProject(
      { build: { dockerfile: 'Dockerfile', context: '/' } },
      { '.devcontainer/Dockerfile': `FROM ${BASE_IMAGE}\n` },
    );
    const up = await r.cli(['up', folder, '--name', 'rooted']);
    assert.equal(up.code, 1);
    assert.match(
      up.stderr,
      /"build\.context" is \/, .*the whole machine .*allow it with spec\.allow: \[hostMounts\] \(devrig up --allow hostMounts\)/,
    );
    assert.ok(!(await names()).includes('rooted'));
  });

  test('delete removes the image built for an environment, but not one another environment uses', async () => {
    const folder = makeProject(
      { build: { dockerfile: 'Dockerfile' }, overrideCommand: true },
      { '.devcontainer/Dockerfile': `FROM ${BASE_IMAGE}\nRUN echo built > /built\n` },
    );
    assert.equal((await r.cli(['up', folder, '--name', 'builder'])).code, 0);
    const [tag] = await builtFor('builder');
    assert.ok(tag, 'an image was built');
    // Another environment runs the same image by its tag.
    const user = makeProject({ image: tag });
    const up = await r.cli(['up', user, '--name', 'user']);
    assert.equal(up.code, 0, up.stderr);

    assert.equal((await r.cli(['delete', 'builder'])).code, 0);
    await waitFor('builder to be gone', async () => !(await names()).includes('builder'), 60_000);
    assert.deepEqual(await builtFor('builder'), [tag], 'kept: "user" runs it');

    // Built again for a second environment nobody shares with: gone with it.
    assert.equal((await r.cli(['up', folder, '--name', 'alone'])).code, 0);
    assert.equal((await builtFor('alone')).length, 1);
    assert.equal((await r.cli(['delete', 'alone'])).code, 0);
    await waitFor('alone to be gone', async () => !(await names()).includes('alone'), 60_000);
    assert.deepEqual(await builtFor('alone'), []);
    assert.equal((await r.cli(['delete', 'user'])).code, 0);
  });
});
