// Build contexts stay inside (issue 18): what a Dockerfile build may read from this machine.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extract } from 'tar-stream';
import { ConfigError, resolveDevcontainer } from '../../../../runner/devcontainer';
import { buildContextRefusal, dockerfileRefusal } from '../../../../runner/devcontainer/buildPaths';
import {
  BuildContextError,
  buildInputsHash,
  FileHashCache,
  packContext,
} from '../../../../runner/providers/docker/buildContext';
import { makeProject, removeProjects, tempDir } from '../../../helpers/project';

after(removeProjects);

const HOME = '/home/u';
const WS = '/home/u/src/app';

const contexts: [string, string, boolean, RegExp | undefined][] = [
  ['the workspace folder', WS, false, undefined],
  ['a folder inside it', `${WS}/docker`, false, undefined],
  [
    'the whole machine',
    '/',
    false,
    /^is \/, outside the workspace folder \/home\/u\/src\/app: the whole machine \(\/\)/,
  ],
  ['the home folder', HOME, false, /^is \/home\/u, outside the workspace folder .*: your home folder;/],
  ['a folder holding the home folder', '/home', false, /a folder holding your home folder/],
  ['a credentials folder', `${HOME}/.ssh`, false, /your credentials folder \/home\/u\/\.ssh/],
  [
    'a sibling of the workspace',
    `${HOME}/src`,
    false,
    /^is \/home\/u\/src, outside the workspace folder \/home\/u\/src\/app;/,
  ],
  ['/ with consent', '/', true, undefined],
  ['the home folder with consent', HOME, true, undefined],
];
for (const [what, context, allowed, refusal] of contexts) {
  test(`build context: ${what}`, () => {
    const r = buildContextRefusal(context, { allowed, home: HOME, workspaceFolder: WS });
    if (!refusal) return assert.equal(r, undefined);
    assert.match(r ?? '', refusal);
    assert.match(r ?? '', /allow it with spec\.allow: \[hostMounts\] \(devrig up --allow hostMounts\)$/);
  });
}

test('a workspace that is the home folder still needs consent for it as a context', () => {
  assert.match(
    buildContextRefusal(HOME, { allowed: false, home: HOME, workspaceFolder: HOME }) ?? '',
    /your home folder/,
  );
});

test('the Dockerfile comes from the context, the config folder or the workspace folder only', () => {
  const allowed = [`${WS}/ctx`, `${WS}/.devcontainer`, WS];
  assert.equal(dockerfileRefusal(`${WS}/.devcontainer/Dockerfile`, allowed), undefined);
  assert.equal(dockerfileRefusal(`${WS}/docker/Dockerfile`, allowed), undefined);
  assert.match(
    dockerfileRefusal('/etc/shadow', allowed) ?? '',
    /^is \/etc\/shadow, outside the build context/,
  );
  assert.match(dockerfileRefusal(`${WS}-other/Dockerfile`, allowed) ?? '', /outside/);
});

async function refusal(folder: string, allowHostContext = false): Promise<ConfigError> {
  try {
    await resolveDevcontainer({ folder, localEnv: {}, devcontainerId: 'x', allowHostContext });
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e;
  }
  assert.fail('expected the config to be refused');
}

test('a Dockerfile outside the project is refused at its position, and nothing of it is read', async () => {
  const secret = join(tempDir('devrig-secret-'), 'id_ed25519');
  writeFileSync(secret, 'TOP-SECRET first line\n');
  const direct = makeProject(`{\n  "build": {\n    "dockerfile": ${JSON.stringify(secret)}\n  }\n}`);
  const e1 = await refusal(direct);
  assert.match(
    e1.message,
    /devcontainer\.json:3:19: "build\.dockerfile" is \/.*id_ed25519, outside the build context/,
  );
  assert.doesNotMatch(e1.message, /TOP-SECRET/);
  // The same through a link inside the config folder.
  const linked = makeProject({ build: { dockerfile: 'Dockerfile' } });
  symlinkSync(secret, join(linked, '.devcontainer', 'Dockerfile'));
  const e2 = await refusal(linked);
  assert.match(e2.message, /"build\.dockerfile" is \/.*id_ed25519, outside/);
  // Even with consent: a Dockerfile is always the project's own.
  assert.match((await refusal(linked, true)).message, /outside the build context/);
});

test('"/" as the build context is refused without consent, with how to allow it; resolved with it', async () => {
  const folder = makeProject('{\n  "build": { "dockerfile": "Dockerfile", "context": "/" }\n}', {
    '.devcontainer/Dockerfile': 'FROM scratch\n',
  });
  const e = await refusal(folder);
  assert.match(
    e.message,
    /devcontainer\.json:2:53: "build\.context" is \/, outside the workspace folder .*the whole machine/,
  );
  assert.match(e.message, /allow it with spec\.allow: \[hostMounts\]/);
  const allowed = await resolveDevcontainer({
    folder,
    localEnv: {},
    devcontainerId: 'x',
    allowHostContext: true,
  });
  assert.equal(allowed.build?.context, '/');
});

test('the usual layouts still build: context ".." with the Dockerfile in .devcontainer, or at the root', async () => {
  for (const build of [
    { dockerfile: 'Dockerfile', context: '..' },
    { dockerfile: '../Dockerfile', context: '..' },
    { dockerfile: '../docker/Dockerfile', context: '.' },
  ]) {
    const folder = makeProject(
      { build },
      {
        '.devcontainer/Dockerfile': 'FROM scratch\n',
        Dockerfile: 'FROM scratch\n',
        'docker/Dockerfile': 'FROM scratch\n',
      },
    );
    const r = await resolveDevcontainer({ folder, localEnv: {}, devcontainerId: 'x' });
    assert.ok(r.build, JSON.stringify(build));
  }
});

async function tarEntries(tar: NodeJS.ReadableStream): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const ex = extract();
  ex.on('entry', (h, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c) => chunks.push(c as Buffer));
    stream.on('end', () => {
      out[h.name] = h.type === 'symlink' ? `-> ${h.linkname}` : Buffer.concat(chunks).toString();
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    ex.on('finish', resolve);
    ex.on('error', reject);
    tar.pipe(ex);
  });
  return out;
}

test('a link leaving the build context is refused before anything is sent; links inside go as links', async () => {
  const secret = join(tempDir('devrig-secret-'), 'shadow');
  writeFileSync(secret, 'root:SECRET\n');
  const context = tempDir('devrig-ctx-');
  writeFileSync(join(context, 'Dockerfile'), 'FROM scratch\nCOPY . /\n');
  writeFileSync(join(context, 'app.txt'), 'hello\n');
  symlinkSync('app.txt', join(context, 'inside'));
  mkdirSync(join(context, 'sub'));
  symlinkSync('../app.txt', join(context, 'sub', 'up-but-inside'));
  const inputs = { context, dockerfile: join(context, 'Dockerfile'), args: {} };

  const ok = await packContext(inputs);
  const entries = await tarEntries(ok.tar);
  assert.equal(entries['inside'], '-> app.txt');
  assert.equal(entries['sub/up-but-inside'], '-> ../app.txt');

  for (const [name, target] of [
    ['leak', secret],
    ['sub/escape', '../../etc/shadow'],
  ] as const) {
    symlinkSync(target, join(context, name));
    await assert.rejects(packContext(inputs), (e) => {
      assert.ok(e instanceof BuildContextError);
      assert.match(
        e.message,
        new RegExp(`${name}( is a symbolic link to .*), outside the context; .*\\.dockerignore`),
      );
      return true;
    });
    // Hashing never reads through a link either.
    await buildInputsHash(inputs, new FileHashCache());
    writeFileSync(join(context, '.dockerignore'), `${name}\n`);
    const ignored = await tarEntries((await packContext(inputs)).tar);
    assert.equal(ignored[name], undefined, 'ignored, it is neither sent nor refused');
    rmSync(join(context, name));
    rmSync(join(context, '.dockerignore'));
  }
});
