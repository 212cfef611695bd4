// The Compose library (runner/compose) against the real Compose v2 CLI and Docker, and beside the
// reference implementation on the same config. Only projects this file names are touched.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import {
  COMPOSE_SERVICE_LABEL,
  ComposeProject,
  composeOverride,
  composeProjectName,
  decideComposeAction,
  findComposeCli,
  findForeignContainers,
  observeProject,
  readComposeModel,
  readProjectNameInputs,
  removeComposeProject,
  servicesToRun,
  type ComposeCli,
  type ComposeModel,
  type ServiceObservation,
} from '../../runner/compose';
import { resolveDevcontainer, type ResolvedDevcontainer } from '../../runner/devcontainer';
import { DockerProvider } from '../../runner/providers/docker/dockerProvider';
import { LABELS } from '../../runner/providers/provider';
import { execOutput } from '../../runner/reconcile/environment/execLines';
import {
  composeDownProject,
  copyComposeFixture,
  projectServices,
  referenceUp,
  removeImages,
} from '../helpers/compose';
import { docker, requireDocker } from '../helpers/docker';
import { removeProjects, tempDir } from '../helpers/project';
import { waitFor } from '../helpers/wait';

describe('Compose projects through the real Compose v2 CLI', () => {
  const runnerId = `test-compose-${process.pid}`;
  const uid = randomUUID();
  const provider = new DockerProvider();
  let cli: ComposeCli;
  let folder: string;
  let resolved: ResolvedDevcontainer;
  let model: ComposeModel;
  let name: string;
  let stateDir: string;
  let project: ComposeProject;
  let wanted: string[];

  const labels = (specHash: string) => ({
    [LABELS.managed]: 'true',
    [LABELS.runner]: runnerId,
    [LABELS.environment]: 'three',
    [LABELS.uid]: uid,
    [LABELS.specHash]: specHash,
    [LABELS.configHash]: 'config-1',
  });

  async function writeOverride(p: ComposeProject, specHash: string): Promise<void> {
    const override = composeOverride({
      model,
      devService: resolved.compose!.service,
      labels: labels(specHash),
      dev: {
        containerEnv: resolved.containerEnv,
        overrideCommand: resolved.overrideCommand,
        mounts: resolved.mounts,
        labels: {
          [LABELS.workspaceFolder]: resolved.workspaceFolder,
          [LABELS.remoteUser]: resolved.remoteUser!,
        },
      },
    });
    await p.writeOverride(override);
  }

  const observe = () => observeProject(provider, { runnerId, uid }, Object.keys(model.services), wanted);
  const byService = (list: ServiceObservation[]) => Object.fromEntries(list.map((o) => [o.service, o]));

  before(async () => {
    await requireDocker();
    cli = await findComposeCli();
    // The folder name becomes the project name: unique per test process.
    folder = copyComposeFixture('three-services', `Three-${process.pid}`);
    resolved = await resolveDevcontainer({
      folder,
      localEnv: process.env,
      devcontainerId: 'id',
      allowCompose: true,
    });
    model = await readComposeModel(cli, resolved.compose!.files);
    name = composeProjectName(
      await readProjectNameInputs({
        workspaceFolder: folder,
        files: resolved.compose!.files,
        composeName: model.name,
      }),
    );
    stateDir = join(tempDir('devrig-compose-state-'), 'compose', uid);
    project = new ComposeProject({ cli, projectName: name, files: resolved.compose!.files, stateDir });
    wanted = servicesToRun(model, resolved.compose!.service, resolved.compose!.runServices);
  });

  after(async () => {
    if (name) {
      await composeDownProject(name);
      await removeImages([`${name}-dev`]);
    }
    removeProjects();
  });

  test('the Compose found is v2, and the config resolves as the reference reads it', () => {
    assert.ok(Number(cli.version.split('.')[0]) >= 2, cli.version);
    assert.equal(name, `three-${process.pid}_devcontainer`);
    assert.deepEqual(Object.keys(model.services).sort(), ['db', 'dev', 'extra']);
    assert.deepEqual(wanted, ['db', 'dev']);
    assert.equal(resolved.workspaceFolder, '/workspace');
    assert.equal(resolved.overrideCommand, false);
  });

  test('the reference CLI on the same config: the same project name and the same services run', async () => {
    const result = await referenceUp(folder, `devrig-test-compose=${process.pid}`);
    assert.equal(result.outcome, 'success');
    assert.equal(result.composeProjectName, name);
    assert.deepEqual(await projectServices(name), { db: 'running', dev: 'running' });
    // Those containers are not devrig's: it must not adopt, recreate or remove them.
    const foreign = await findForeignContainers(provider, name, { runnerId, uid });
    assert.deepEqual(foreign.map((c) => c.labels['com.docker.compose.service']).sort(), ['db', 'dev']);
    await composeDownProject(name);
    assert.deepEqual(await projectServices(name), {});
  });

  test('up: only runServices and the dev service start, every container carries devrig labels', async () => {
    await writeOverride(project, 'spec-1');
    assert.equal(statSync(project.overrideFile).mode & 0o777, 0o600);
    assert.equal(statSync(stateDir).mode & 0o777, 0o700);
    assert.deepEqual(
      decideComposeAction({ desired: 'Running', observed: await observe(), specHash: 'spec-1' }),
      {
        type: 'up',
        reason: 'no container for db, dev',
      },
    );
    await project.build([resolved.compose!.service]);
    await project.up(wanted);
    const observed = byService(await observe());
    assert.deepEqual(
      Object.values(observed).map((o) => [o.service, o.state, o.wanted]),
      [
        ['db', 'running', true],
        ['dev', 'running', true],
        ['extra', 'missing', false],
      ],
    );
    assert.deepEqual(await projectServices(name), { db: 'running', dev: 'running' });
    for (const service of ['dev', 'db']) {
      const c = await docker.getContainer(observed[service]!.containerId!).inspect();
      const l = c.Config.Labels;
      assert.equal(l[LABELS.managed], 'true');
      assert.equal(l[LABELS.runner], runnerId);
      assert.equal(l[LABELS.uid], uid);
      assert.equal(l[LABELS.environment], 'three');
      assert.equal(l[LABELS.specHash], 'spec-1');
      assert.equal(l[COMPOSE_SERVICE_LABEL], service);
      assert.equal(l['com.docker.compose.project'], name);
    }
    const dev = observed.dev!.containerId!;
    const devLabels = (await docker.getContainer(dev).inspect()).Config.Labels;
    assert.equal(devLabels[LABELS.remoteUser], 'vscode');
    assert.equal(devLabels[LABELS.workspaceFolder], '/workspace');
    const env = await execOutput(provider, dev, [
      '/bin/sh',
      '-c',
      'env | grep ^FROM_ | sort; cat /built-by-compose',
    ]);
    assert.equal(
      env.stdout,
      'FROM_COMPOSE=compose-value\nFROM_DEVCONTAINER=devcontainer-value\nFROM_DOTENV=dotenv-value\nFROM_SECOND_FILE=second-value\nbuilt-by-compose\n',
    );
    const ws = await execOutput(provider, dev, ['ls', '/workspace/.devcontainer/devcontainer.json']);
    assert.equal(ws.code, 0, 'the Compose file mounts the workspace');
    await waitFor(
      'db to answer by its service name from the dev service',
      async () =>
        (
          await execOutput(provider, dev, [
            'python3',
            '-c',
            'import urllib.request; urllib.request.urlopen("http://db:5432/")',
          ])
        ).code === 0,
      30_000,
      200,
    );
  });

  test('stop stops every service; start brings them back (same containers, started again)', async () => {
    const before = byService(await observe());
    await project.stop({ timeoutSeconds: 5 });
    const stopped = byService(await observe());
    assert.equal(stopped.dev!.state, 'exited');
    assert.equal(stopped.db!.state, 'exited');
    assert.deepEqual(
      decideComposeAction({ desired: 'Stopped', observed: Object.values(stopped), specHash: 'spec-1' }),
      {
        type: 'none',
      },
    );
    assert.equal(
      decideComposeAction({ desired: 'Running', observed: Object.values(stopped), specHash: 'spec-1' }).type,
      'up',
    );
    await project.up(wanted);
    const started = byService(await observe());
    for (const s of ['dev', 'db']) {
      assert.equal(started[s]!.state, 'running');
      assert.equal(started[s]!.containerId, before[s]!.containerId);
      assert.notEqual(started[s]!.startedAt, before[s]!.startedAt);
    }
  });

  test('adopted by a new instance (a restarted runner): nothing is restarted', async () => {
    const before = byService(await observe());
    assert.deepEqual(
      decideComposeAction({ desired: 'Running', observed: Object.values(before), specHash: 'spec-1' }),
      {
        type: 'none',
      },
    );
    const again = new ComposeProject({ cli, projectName: name, files: resolved.compose!.files, stateDir });
    assert.equal(await again.useExistingOverride(), true);
    await again.up(wanted);
    const after = byService(await observe());
    for (const s of ['dev', 'db']) {
      assert.equal(after[s]!.containerId, before[s]!.containerId);
      assert.equal(after[s]!.startedAt, before[s]!.startedAt);
    }
  });

  test("a service container removed behind devrig's back is recreated; the others are left alone", async () => {
    const before = byService(await observe());
    // `docker rm -f -v`: its anonymous volume goes with it (the test leaves nothing behind).
    await docker.getContainer(before.db!.containerId!).remove({ force: true, v: true });
    const action = decideComposeAction({ desired: 'Running', observed: await observe(), specHash: 'spec-1' });
    assert.deepEqual(action, { type: 'up', reason: 'no container for db' });
    await project.up(wanted);
    const after = byService(await observe());
    assert.equal(after.db!.state, 'running');
    assert.notEqual(after.db!.containerId, before.db!.containerId);
    assert.equal(after.dev!.containerId, before.dev!.containerId);
    assert.equal(after.dev!.startedAt, before.dev!.startedAt);
  });

  test("logs per service: the db service's own output", async () => {
    const dev = byService(await observe()).dev!.containerId!;
    await waitFor(
      'a request to db',
      async () =>
        (
          await execOutput(provider, dev, [
            'python3',
            '-c',
            'import urllib.request; urllib.request.urlopen("http://db:5432/from-the-test")',
          ])
        ).code !== null,
      30_000,
      200,
    );
    const lines: string[] = [];
    await waitFor(
      'the request in the db log',
      async () => {
        lines.length = 0;
        await project.logs('db', (l) => lines.push(l), { tail: 100 });
        return lines.some((l) => l.includes('GET /from-the-test'));
      },
      30_000,
      200,
    );
    assert.ok(
      lines.every((l) => !l.startsWith('db-1 ')),
      'lines carry no service prefix',
    );
  });

  test('a change of the environment spec recreates the services with the new labels', async () => {
    const before = byService(await observe());
    await writeOverride(project, 'spec-2');
    assert.equal(
      decideComposeAction({ desired: 'Running', observed: Object.values(before), specHash: 'spec-2' }).type,
      'recreate',
    );
    await project.up(wanted, { recreate: 'changed' });
    const after = byService(await observe());
    for (const s of ['dev', 'db']) {
      assert.equal(after[s]!.state, 'running');
      assert.notEqual(after[s]!.containerId, before[s]!.containerId);
      assert.equal(after[s]!.specHash, 'spec-2');
    }
    assert.equal(after.extra!.state, 'missing');
  });

  test('down: no container or network is left, anonymous volumes go, the named volume stays (until --volumes)', async () => {
    const db = await docker.getContainer(byService(await observe()).db!.containerId!).inspect();
    const anonymous = db.Mounts.find((m) => m.Destination === '/scratch')?.Name;
    assert.ok(anonymous, 'db has an anonymous volume');
    const { removedVolumes } = await removeComposeProject(project, provider, { runnerId, uid });
    // Recreated above, db mounts its anonymous volume by name: `compose down` alone would leave it.
    assert.deepEqual(removedVolumes, [anonymous]);
    assert.deepEqual(await projectServices(name), {});
    assert.deepEqual(await observe().then((o) => o.filter((s) => s.state !== 'missing')), []);
    const networks = await docker.listNetworks({ filters: { name: [`${name}_default`] } });
    assert.deepEqual(
      networks.map((n) => n.Name),
      [],
    );
    await assert.rejects(docker.getVolume(anonymous).inspect(), /no such volume/i);
    const named = await docker.getVolume(`${name}_dbdata`).inspect();
    assert.equal(named.Labels?.['com.docker.compose.project'], name);
    await project.down({ volumes: true });
    await assert.rejects(docker.getVolume(`${name}_dbdata`).inspect(), /no such volume/i);
  });
});
