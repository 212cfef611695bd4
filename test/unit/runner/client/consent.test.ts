// Consent in the clients: what they read from status and write back, the CLI's flags and question, the
// extension's modal.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Environment, ResourceApply, type HostAccessItem } from '../../../../runner/api';
import { consentRequest, specAllowing, waitsForConsent } from '../../../../runner/client/consent';
import {
  commandWithConsent,
  consentFlags,
  settleConsent,
  specWithFlags,
  type ConsentIo,
} from '../../../../runner/cli/consent';
import type { WaitOutcome } from '../../../../runner/cli/wait';
import type { RunnerClient } from '../../../../runner/client/runnerClient';
import { ResourceStore } from '../../../../runner/store/resourceStore';
import { consentPrompt } from '../../../../extension/environments/consentPrompt';
import { folderWithin, newEnvironment } from '../../../../extension/environments/newEnvironment';
import { removeProjects, tempDir } from '../../../helpers/project';

after(removeProjects);

function environment(spec: Record<string, unknown>, status: Record<string, unknown> = {}): Environment {
  return Environment.parse({
    kind: 'Environment',
    metadata: { name: 'web', uid: 'u-1', generation: 2, resourceVersion: '5', creationTimestamp: 'x' },
    spec: { source: { git: { url: 'https://example.invalid/r.git' } }, ...spec },
    status,
  });
}

const item = (allowance: HostAccessItem['allowance'], detail = 'x'): HostAccessItem => ({
  ...(allowance ? { allowance } : {}),
  origin: 'runArgs',
  property: 'runArgs[0]',
  location: '/p/devcontainer.json:3:4',
  detail,
  message: `/p/devcontainer.json:3:4: runArgs[0] asks for ${detail}; allow it with spec.allow: [${allowance}]`,
});

// What clients read and write ----------------------------------------------------------------------

function waiting(extra: Record<string, unknown> = {}): Environment {
  return environment(
    { allow: ['devices'] },
    {
      phase: 'Failed',
      conditions: [
        {
          type: 'HostAccessAllowed',
          status: 'False',
          reason: 'ConsentRequired',
          message: 'm',
          lastTransitionTime: 't',
          observedGeneration: 2,
        },
      ],
      hostAccess: {
        allowed: [],
        refused: [item('hostNetwork'), item('engineSocket'), item('hostNetwork', 'y')],
      },
      initializeCommand: {
        text: 'touch /tmp/marker',
        hash: 'sha256:abc',
        allowed: false,
        why: 'the git source r',
      },
      ...extra,
    },
  );
}

test('consentRequest reads everything asked at once; specAllowing records it without losing the rest', () => {
  const env = waiting();
  assert.equal(waitsForConsent(env), true);
  const r = consentRequest(env)!;
  assert.deepEqual(r.allowances, ['hostNetwork', 'engineSocket']);
  assert.equal(r.initialize?.hash, 'sha256:abc');
  const spec = specAllowing(env.spec, { allowances: r.allowances, initializeHash: r.initialize!.hash });
  assert.deepEqual(spec.allow, ['devices', 'hostNetwork', 'engineSocket']);
  assert.equal(spec.allowInitializeCommand, 'sha256:abc');
  assert.deepEqual(spec.source, env.spec.source);
  assert.equal(consentRequest(environment({})), undefined);
  assert.equal(waitsForConsent(environment({})), false);
});

test('CLI flags: --allow lists are checked and merged, never taking away', () => {
  const f = consentFlags({ allow: ['hostNetwork,engineSocket', 'hostNetwork'], 'allow-initialize': true });
  assert.deepEqual(f, {
    allow: ['hostNetwork', 'engineSocket'],
    allowPrivileged: false,
    allowInitialize: true,
  });
  assert.throws(
    () => consentFlags({ allow: ['root'] }),
    /--allow: unknown "root"; one of privileged, devices/,
  );
  assert.deepEqual(specWithFlags({ allow: ['devices'] }, f).allow, [
    'devices',
    'hostNetwork',
    'engineSocket',
  ]);
  assert.equal(
    specWithFlags({ allowPrivileged: false }, { ...f, allowPrivileged: true }).allowPrivileged,
    true,
  );
  assert.equal(
    commandWithConsent(
      'up',
      ['/src/my app', '--allow', 'devices', '--name=x', '--allow-initialize'],
      consentRequest(waiting())!,
      consentFlags({ allow: ['devices'] }),
    ),
    "devrig up '/src/my app' --name=x --allow devices,hostNetwork,engineSocket --allow-initialize",
  );
});

/** A client over a real store, holding the waiting environment. */
async function storeWith(env: Environment) {
  const store = await ResourceStore.open(tempDir('devrig-consent-'));
  await store.apply(ResourceApply.parse({ kind: 'Environment', metadata: { name: 'web' }, spec: env.spec }));
  const client = {
    call: async (method: string, params: Record<string, unknown>) => {
      if (method === 'get') return store.mustGet('Environment', params.name as string);
      if (method === 'apply') return store.apply(ResourceApply.parse(params.resource));
      throw new Error(method);
    },
  } as unknown as Pick<RunnerClient, 'call'>;
  return { store, client };
}

function cli(io: ConsentIo, flags = consentFlags({})) {
  const err: string[] = [];
  const reruns: number[] = [];
  return {
    err,
    reruns,
    options: (client: Pick<RunnerClient, 'call'>) => ({
      ctx: {
        stateDir: '',
        client: async () => client,
        out: () => {},
        err: (t: string) => void err.push(t),
        close: () => {},
      } as never,
      client,
      name: 'web',
      flags,
      io,
      verb: 'up',
      argv: ['/src/web'],
      rerun: async (generation: number): Promise<WaitOutcome> => {
        reruns.push(generation);
        return { ok: true, env: environment({}) };
      },
    }),
  };
}

const failed = (env: Environment): WaitOutcome => ({
  ok: false,
  env,
  reason: 'ConsentRequired',
  message: 'm',
});

test('CLI without a terminal: lists what is asked, prints the exact command, changes nothing', async () => {
  const env = waiting();
  const { store, client } = await storeWith(env);
  const c = cli({ interactive: false, ask: async () => assert.fail('no question without a terminal') });
  const out = await settleConsent(failed(env), c.options(client));
  assert.equal(out.ok, false);
  const text = c.err.join('\n');
  assert.match(
    text,
    /environment web asks for access to this machine:\n {2}- \/p\/devcontainer.json:3:4 runArgs\[0\]: x {2}\[hostNetwork\]/,
  );
  assert.match(
    text,
    /the git source r wants to run this initializeCommand on this machine, as you:\n {4}touch \/tmp\/marker/,
  );
  assert.match(
    text,
    /To allow it, run: devrig up \/src\/web --allow hostNetwork,engineSocket --allow-initialize/,
  );
  assert.deepEqual(c.reruns, []);
  assert.equal(store.get('Environment', 'web')?.metadata.generation, 1, 'nothing stored changed');
  await store.close();
});

test('CLI on a terminal: y records every allowance and the command hash, then waits again; N changes nothing', async () => {
  for (const answer of ['y', 'n', '']) {
    const env = waiting();
    const { store, client } = await storeWith(env);
    const questions: string[] = [];
    const c = cli({ interactive: true, ask: async (q) => (questions.push(q), answer) });
    await settleConsent(failed(env), c.options(client));
    assert.deepEqual(questions, ['Allow this for web? [y/N] ']);
    const stored = store.get('Environment', 'web')!;
    if (answer === 'y') {
      assert.deepEqual(stored.spec.allow, ['devices', 'hostNetwork', 'engineSocket']);
      assert.equal(stored.spec.allowInitializeCommand, 'sha256:abc');
      assert.deepEqual(c.reruns, [2]);
    } else {
      assert.equal(stored.metadata.generation, 1);
      assert.deepEqual(c.reruns, []);
    }
    await store.close();
  }
});

test('CLI: --allow-initialize grants the command shown without a question; the state folder is never asked', async () => {
  const env = waiting({ hostAccess: { allowed: [], refused: [] } });
  const { store, client } = await storeWith(env);
  const c = cli(
    { interactive: true, ask: async () => assert.fail('the flag said so') },
    consentFlags({ 'allow-initialize': true }),
  );
  await settleConsent(failed(env), c.options(client));
  assert.equal(store.get('Environment', 'web')!.spec.allowInitializeCommand, 'sha256:abc');
  assert.match(c.err.join('\n'), /touch \/tmp\/marker[\s\S]*allowed by --allow-initialize/);
  await store.close();
  const forbidden = waiting({
    hostAccess: { allowed: [], refused: [item(undefined, "devrig's state folder")] },
  });
  const f = await storeWith(forbidden);
  const c2 = cli({ interactive: true, ask: async () => assert.fail('nothing can allow it') });
  await settleConsent(failed(forbidden), c2.options(f.client));
  assert.match(c2.err.join('\n'), /asks for what nothing can allow \(change the configuration\)/);
  assert.equal(f.store.get('Environment', 'web')!.metadata.generation, 1);
  await f.store.close();
});

// The extension's modal ----------------------------------------------------------------------------

const feature = (allowance: HostAccessItem['allowance'], name: string, detail: string): HostAccessItem => ({
  ...(allowance ? { allowance } : {}),
  origin: 'feature',
  name,
  detail,
  message: `feature "${name}" asks for ${detail}`,
});

test('modal: Docker-in-Docker and the Docker socket get a plain one-click path', () => {
  const dind = consentPrompt('web', {
    items: [
      feature('privileged', 'ghcr.io/devcontainers/features/docker-in-docker:2', 'a privileged container'),
    ],
    forbidden: [],
    allowances: ['privileged'],
  });
  assert.equal(dind.kind, 'ask');
  if (dind.kind !== 'ask') return;
  assert.equal(dind.allowLabel, 'Allow Docker-in-Docker');
  assert.match(
    dind.detail,
    /Docker-in-Docker runs its own Docker engine, which needs a privileged container/,
  );
  assert.match(
    dind.detail,
    /• a privileged container — feature ghcr.io\/devcontainers\/features\/docker-in-docker:2/,
  );
  assert.deepEqual(dind.grant, { allowances: ['privileged'] });
  const dood = consentPrompt('web', {
    items: [
      feature(
        'engineSocket',
        'ghcr.io/devcontainers/features/docker-outside-of-docker:1',
        'a bind mount of /var/run/docker.sock',
      ),
    ],
    forbidden: [],
    allowances: ['engineSocket'],
  });
  assert.equal(dood.kind === 'ask' && dood.allowLabel, 'Allow Docker Socket');
  assert.match(dood.detail, /Docker-outside-of-Docker uses this machine’s Docker engine/);
});

test('modal: lists every item with where it is written, shows the command text, grants exactly that', () => {
  const p = consentPrompt('web', consentRequest(waiting())!);
  assert.equal(p.kind, 'ask');
  if (p.kind !== 'ask') return;
  assert.equal(p.message, 'Allow environment "web" access to this machine?');
  assert.equal(p.allowLabel, 'Allow and Start');
  assert.match(p.detail, /• x — devcontainer.json:3:4 runArgs\[0\]/);
  assert.match(
    p.detail,
    /the git source r wants to run this command on this machine, as you:\n\ntouch \/tmp\/marker\n/,
  );
  assert.deepEqual(p.grant, { allowances: ['hostNetwork', 'engineSocket'], initializeHash: 'sha256:abc' });
  const onlyInit = consentPrompt(
    'web',
    consentRequest(waiting({ hostAccess: { allowed: [], refused: [] } }))!,
  );
  assert.equal(onlyInit.kind === 'ask' && onlyInit.allowLabel, 'Allow and Run');
  assert.notEqual(onlyInit.signature, p.signature, 'a different question is asked again');
  const forbidden = consentPrompt('web', {
    items: [],
    forbidden: [item(undefined, 'the state folder')],
    allowances: [],
  });
  assert.equal(forbidden.kind, 'forbidden');
});

test('a folder picked outside the trusted workspace is marked untrusted; inside it is not', () => {
  assert.equal(folderWithin('/w/app', ['/w/app']), true);
  assert.equal(folderWithin('/w/app/sub', ['/w/app']), true);
  assert.equal(folderWithin('/w/apple', ['/w/app']), false);
  assert.equal(folderWithin('/elsewhere', []), false);
  const env = (trusted?: boolean) =>
    newEnvironment({
      name: 'x',
      source: { kind: 'folder', folder: '/f', ...(trusted === undefined ? {} : { trusted }) },
      resources: undefined,
    });
  assert.deepEqual(env(false).spec.source, { folder: '/f', untrusted: true });
  assert.deepEqual(env(true).spec.source, { folder: '/f' });
  assert.deepEqual(env().spec.source, { folder: '/f' });
});
