import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, isApiError } from '../../runner/api';
import { makeProject, removeProjects } from '../helpers/project';
import { cleanupRunner, startRunner, type TestRunner } from '../helpers/runnerProcess';
import { watchUntil } from '../helpers/wait';

describe('bad input gets a clear error naming what and where; nothing stored is lost', () => {
  let r: TestRunner;
  before(async () => {
    r = await startRunner();
  });
  after(async () => {
    await cleanupRunner(r);
    removeProjects();
  });

  test('malformed devcontainer.json: file:line:col in the error, nothing stored', async () => {
    const folder = makeProject('{\n  // a comment is fine\n  "image": "x"\n  "remoteUser": "vscode"\n}\n');
    const res = await r.cli(['up', folder, '--name', 'broken']);
    assert.equal(res.code, 1);
    assert.match(res.stderr, new RegExp(`${folder}/\\.devcontainer/devcontainer\\.json:4:3: `));
    assert.match(res.stderr, /comma/i);
    const { items } = await r.client.call('list', { kind: 'Environment' });
    assert.deepEqual(items, []);
  });

  test('a wrong-typed property: where it is and what it should be', async () => {
    const folder = makeProject('{\n  "image": "x",\n  "forwardPorts": [8080, true]\n}\n');
    const res = await r.cli(['up', folder, '--name', 'wrongtype']);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /devcontainer\.json:3:26: "forwardPorts\[1\]" must be a number/);
  });

  test('an update with a broken config is refused and the stored spec is unchanged', async () => {
    const good = makeProject({ image: 'devrig-test-base:bookworm' });
    await r.client.call('apply', {
      resource: {
        kind: 'Environment',
        metadata: { name: 'keep' },
        spec: { source: { folder: good }, state: 'Stopped' },
      },
    });
    const bad = makeProject('{ "image": ');
    await assert.rejects(
      r.client.call('apply', {
        resource: {
          kind: 'Environment',
          metadata: { name: 'keep' },
          spec: { source: { folder: bad }, state: 'Stopped' },
        },
      }),
      (e) => isApiError(e, 'Invalid') && e.message.includes(`${bad}/.devcontainer/devcontainer.json:1:`),
    );
    const kept = await r.client.call('get', { kind: 'Environment', name: 'keep' });
    assert.equal(kept.kind === 'Environment' && kept.spec.source.folder, good);
  });

  test('a stale resourceVersion is a conflict; the stored spec is unchanged', async () => {
    const first = await r.client.call('get', { kind: 'Environment', name: 'keep' });
    // A correct read-modify-write: the runner may write status in between, so retry on conflict.
    const update = async (): Promise<Awaited<ReturnType<typeof r.client.call<'apply'>>>> => {
      const cur = await r.client.call('get', { kind: 'Environment', name: 'keep' });
      try {
        return await r.client.call('apply', {
          resource: {
            kind: 'Environment',
            metadata: { name: 'keep', resourceVersion: cur.metadata.resourceVersion },
            spec: { ...(cur as { spec: object }).spec, env: { A: '1' } } as never,
          },
        });
      } catch (e) {
        if (isApiError(e, 'Conflict')) return update();
        throw e;
      }
    };
    const second = await update();
    assert.notEqual(second.metadata.resourceVersion, first.metadata.resourceVersion);
    await assert.rejects(
      r.client.call('apply', {
        resource: {
          kind: 'Environment',
          metadata: { name: 'keep', resourceVersion: first.metadata.resourceVersion },
          spec: { ...(first as { spec: object }).spec, env: { A: '2' } } as never,
        },
      }),
      (e) => isApiError(e, 'Conflict'),
    );
    const now = await r.client.call('get', { kind: 'Environment', name: 'keep' });
    assert.deepEqual(now.kind === 'Environment' && now.spec.env, { A: '1' });
  });

  test('invalid names are refused with the rule', async () => {
    const folder = makeProject({ image: 'x' });
    for (const name of ['Upper', 'has space', '-lead', 'trail-', 'x'.repeat(41), 'dots.not.ok']) {
      await assert.rejects(
        r.client.call('apply', {
          resource: { kind: 'Environment', metadata: { name }, spec: { source: { folder } } },
        }),
        (e) =>
          e instanceof ApiError &&
          e.code === 'Invalid' &&
          /metadata\.name: must be 1-40 characters/.test(e.message),
        name,
      );
    }
    const res = await r.cli(['up', folder, '--name', 'Bad_Name']);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /metadata\.name: must be 1-40 characters of lowercase letters/);
  });

  test('a missing folder: the CLI and the API both say which', async () => {
    const res = await r.cli(['up', '/nonexistent/project']);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /\/nonexistent\/project does not exist/);
    await assert.rejects(
      r.client.call('apply', {
        resource: {
          kind: 'Environment',
          metadata: { name: 'nofolder' },
          spec: { source: { folder: '/nonexistent/x' } },
        },
      }),
      (e) =>
        isApiError(e, 'Invalid') && /spec\.source\.folder: \/nonexistent\/x does not exist/.test(e.message),
    );
    await assert.rejects(
      r.client.call('apply', {
        resource: {
          kind: 'Environment',
          metadata: { name: 'relative' },
          spec: { source: { folder: 'rel/path' } },
        },
      }),
      (e) =>
        isApiError(e, 'Invalid') && /source\.folder: source\.folder must be an absolute path/.test(e.message),
    );
  });

  test('an unknown image: ImageReady=False with reason and message; the runner stays healthy', async () => {
    const folder = makeProject({ image: 'devrig-test/does-not-exist:nope' });
    const res = await r.cli(['up', folder, '--name', 'noimage', '--timeout', '120']);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /PullFailed: .*devrig-test\/does-not-exist:nope/);
    const env = await watchUntil(
      r.client,
      'noimage',
      (e) =>
        e.status.conditions.some(
          (c) => c.type === 'ImageReady' && c.status === 'False' && c.reason === 'PullFailed',
        ),
      'to report PullFailed',
    );
    const c = env.status.conditions.find((x) => x.type === 'ImageReady')!;
    assert.match(c.message, /pulling devrig-test\/does-not-exist:nope: /);
    assert.equal(env.status.phase, 'Failed');
    // Still answering, still able to do other work.
    const ls = await r.cli(['ls']);
    assert.match(ls.stdout, /noimage\s+Failed/);
    assert.equal((await r.cli(['delete', 'noimage'])).code, 0);
  });
});
