import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_IMAGE, requireDocker } from '../helpers/docker';
import { makeProject, removeProjects } from '../helpers/project';
import { cleanupRunner, startRunner, type TestRunner } from '../helpers/runnerProcess';
import { runInPty, ssh, sshConfigOf } from '../helpers/ssh';

// postAttachCommand runs each time a person or a tool attaches (an interactive shell, a VS Code
// terminal or window via the `attach` call), never for a tool's one-off commands.
describe('postAttachCommand', () => {
  let r: TestRunner;
  const name = 'attach';
  const attaches = async () =>
    (await r.cli(['exec', name, '--', 'sh', '-c', 'cat ~/attached.log 2>/dev/null | wc -l'])).stdout.trim();

  before(async () => {
    await requireDocker();
    r = await startRunner();
    const folder = makeProject({
      image: BASE_IMAGE,
      remoteUser: 'vscode',
      postAttachCommand: 'echo "attached as $(id -un)" >> ~/attached.log',
    });
    const up = await r.cli(['up', folder, '--name', name]);
    assert.equal(up.code, 0, up.stderr);
  });
  after(async () => {
    await cleanupRunner(r);
    removeProjects();
  });

  test('not for a plain command, nor on up', async () => {
    assert.equal((await ssh(r.stateDir, [`devrig-${name}`, 'true'])).code, 0);
    assert.equal(await attaches(), '0');
  });

  test('once for an interactive ssh shell, before the prompt', async () => {
    const res = await runInPty(
      ['ssh', '-F', sshConfigOf(r.stateDir), '-tt', `devrig-${name}`],
      [24, 80],
      [{ send: 'cat ~/attached.log; exit\r' }, { expect: 'attached as vscode' }],
    );
    assert.equal(res.exitCode, 0, res.output);
    assert.equal(await attaches(), '1');
  });

  test('for the attach call a VS Code window or terminal makes; its output is in the log', async () => {
    await r.client.call('attach', { name });
    assert.equal(await attaches(), '2');
    const logs = await r.cli(['logs', name]);
    assert.match(logs.stdout, /Running postAttachCommand/);
  });
});
