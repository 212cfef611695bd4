import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planFeatureImage, type FeatureMetadata, type ResolvedFeature } from '../../../../runner/features';
import { FeatureBuildProgress } from '../../../../runner/features/imageBuild';
import type { FeatureBuildInput } from '../../../../runner/features/buildPlan';

function feature(
  userId: string,
  metadata: FeatureMetadata,
  options: Record<string, string | boolean> = {},
): ResolvedFeature {
  return {
    userId,
    ref: { kind: 'local', userId, folder: `/p/.devcontainer/${metadata.id}`, id: metadata.id },
    id: metadata.id,
    digest: `sha256:${metadata.id.padEnd(64, '0').slice(0, 64)}`,
    resolved: `/p/.devcontainer/${metadata.id}`,
    options,
    written: {},
    metadata,
    folder: `/p/.devcontainer/${metadata.id}`,
    chain: [userId],
    dependsOn: [],
  };
}

const HELLO = feature(
  './hello',
  {
    id: 'hello',
    version: '1.2.0',
    name: "Hello 'world'",
    containerEnv: {
      HELLO_HOME: '/usr/local/share/hello',
      PATH: '/usr/local/share/hello/bin:${PATH}',
      Q: 'a "b" \\c',
    },
  },
  { greeting: 'hey', loud: false },
);
const APT = feature('localhost:5000/ns/apt:1', { id: 'apt', version: '1.0.0' }, { package: 'jq' });

function input(extra: Partial<FeatureBuildInput> = {}): FeatureBuildInput {
  return {
    base: { ref: 'base:1', id: `sha256:${'b'.repeat(64)}`, user: 'app' },
    features: [HELLO, APT],
    containerUser: 'app',
    remoteUser: 'vscode',
    metadataLabel: '[{"remoteUser":"vscode"}]',
    labels: { 'devrig.managed': 'true' },
    ...extra,
  };
}

test('the Dockerfile: FROM the base id, one COPY and one RUN per Feature as root, its containerEnv first, the user restored', () => {
  const plan = planFeatureImage(input());
  assert.equal(
    plan.dockerfile,
    [
      `FROM sha256:${'b'.repeat(64)}`,
      'USER root',
      'COPY devcontainer-features.builtin.env /tmp/dev-container-features/',
      `RUN echo "_CONTAINER_USER_HOME=$( (command -v getent >/dev/null 2>&1 && getent passwd 'app' || grep -E '^app|^[^:]*:[^:]*:app:' /etc/passwd || true) | cut -d: -f6)" >> /tmp/dev-container-features/devcontainer-features.builtin.env \\`,
      `&& echo "_REMOTE_USER_HOME=$( (command -v getent >/dev/null 2>&1 && getent passwd 'vscode' || grep -E '^vscode|^[^:]*:[^:]*:vscode:' /etc/passwd || true) | cut -d: -f6)" >> /tmp/dev-container-features/devcontainer-features.builtin.env`,
      '',
      'ENV HELLO_HOME="/usr/local/share/hello"',
      'ENV PATH="/usr/local/share/hello/bin:${PATH}"',
      'ENV Q="a \\"b\\" \\\\c"',
      'COPY --chown=root:root hello_0/ /tmp/dev-container-features/hello_0/',
      'RUN chmod -R 0755 /tmp/dev-container-features/hello_0 \\',
      '&& cd /tmp/dev-container-features/hello_0 \\',
      '&& chmod +x ./devcontainer-features-install.sh \\',
      '&& ./devcontainer-features-install.sh',
      '',
      'COPY --chown=root:root apt_1/ /tmp/dev-container-features/apt_1/',
      'RUN chmod -R 0755 /tmp/dev-container-features/apt_1 \\',
      '&& cd /tmp/dev-container-features/apt_1 \\',
      '&& chmod +x ./devcontainer-features-install.sh \\',
      '&& ./devcontainer-features-install.sh',
      '',
      'USER app',
      '',
    ].join('\n'),
  );
  assert.deepEqual(
    plan.features.map((f) => [f.userId, f.dir, f.source]),
    [
      ['./hello', 'hello_0', '/p/.devcontainer/hello'],
      ['localhost:5000/ns/apt:1', 'apt_1', '/p/.devcontainer/apt'],
    ],
  );
  assert.deepEqual(plan.labels, {
    'devrig.managed': 'true',
    'devcontainer.metadata': '[{"remoteUser":"vscode"}]',
  });
  assert.equal(
    planFeatureImage(input({ base: { ref: 'b', id: 'sha256:c', user: '' } })).dockerfile.endsWith(
      'USER root\n',
    ),
    true,
  );
});

test('the generated files: users, option variables, the reference banner and wrapper', () => {
  const plan = planFeatureImage(input());
  const files = Object.fromEntries(plan.files.map((f) => [f.path, f]));
  assert.equal(
    files['devcontainer-features.builtin.env']?.content,
    '_CONTAINER_USER=app\n_REMOTE_USER=vscode\n',
  );
  assert.equal(files['hello_0/devcontainer-features.env']?.content, 'GREETING="hey"\nLOUD="false"');
  assert.equal(files['apt_1/devcontainer-features.env']?.content, 'PACKAGE="jq"');
  const wrapper = files['hello_0/devcontainer-features-install.sh'];
  assert.equal(wrapper?.mode, 0o755);
  assert.match(wrapper?.content ?? '', /echo 'Feature {7}: Hello '\\''world'\\'''/);
  assert.match(wrapper?.content ?? '', /echo 'Id {12}: \.\/hello'/);
  assert.match(wrapper?.content ?? '', /echo ' {4}GREETING="hey"\n {4}LOUD="false"'/);
  assert.match(
    wrapper?.content ?? '',
    /set -a\n\. \.\.\/devcontainer-features\.builtin\.env\n\. \.\/devcontainer-features\.env\nset \+a\n\nchmod \+x \.\/install\.sh\n\.\/install\.sh\n$/,
  );
});

test('the tag is a content hash: same inputs same tag; options, digests, users, base and label change it', () => {
  const tag = planFeatureImage(input()).tag;
  assert.match(tag, /^devrig-features:[0-9a-f]{32}$/);
  assert.equal(planFeatureImage(input()).tag, tag);
  const changed = [
    input({ features: [{ ...HELLO, options: { greeting: 'yo', loud: false } }, APT] }),
    input({ features: [HELLO, { ...APT, digest: `sha256:${'9'.repeat(64)}` }] }),
    input({ features: [APT, HELLO] }),
    input({ remoteUser: 'root' }),
    input({ base: { ref: 'base:1', id: `sha256:${'c'.repeat(64)}`, user: 'app' } }),
    input({ metadataLabel: '[]' }),
  ];
  const tags = changed.map((i) => planFeatureImage(i).tag);
  assert.equal(new Set([tag, ...tags]).size, tags.length + 1);
  assert.equal(
    planFeatureImage(input({ repository: 'devrig/web-features' })).tag.split(':')[0],
    'devrig/web-features',
  );
});

test('build output: the Feature being installed is named, cached layers said, a failing RUN explained', () => {
  const plan = planFeatureImage(input());
  const lines: string[] = [];
  const progress = new FeatureBuildProgress(plan, (l) => lines.push(l));
  for (const line of [
    'Step 6/15 : COPY --chown=root:root hello_0/ /tmp/dev-container-features/hello_0/',
    ' ---> Using cache',
    'Step 7/15 : RUN chmod -R 0755 /tmp/dev-container-features/hello_0 && cd /tmp/dev-container-features/hello_0 && ./devcontainer-features-install.sh',
    ' ---> Using cache',
    'Step 9/15 : RUN chmod -R 0755 /tmp/dev-container-features/apt_1 && cd /tmp/dev-container-features/apt_1 && ./devcontainer-features-install.sh',
    ' ---> Running in 0123456789ab',
    'Installing the Debian package jq',
    'E: Unable to locate package jq',
    "error: The command '/bin/sh -c chmod -R 0755 /tmp/dev-container-features/apt_1 && cd /tmp/dev-container-features/apt_1' returned a non-zero code: 100",
  ]) {
    progress.sink(line);
  }
  assert.ok(lines.includes('Installing Feature ./hello (1/2)'));
  assert.ok(lines.includes('Feature ./hello: layer reused from the cache'));
  assert.ok(lines.includes('Installing Feature localhost:5000/ns/apt:1 (2/2)'));
  const error = progress.explain(
    new Error(
      "building devrig-features:x: The command '/bin/sh -c chmod -R 0755 /tmp/dev-container-features/apt_1 && cd /tmp/dev-container-features/apt_1' returned a non-zero code: 100",
    ),
  ) as Error & { userId: string; exitCode: number; tail: string[] };
  assert.equal(error.name, 'FeatureInstallError');
  assert.equal(error.userId, 'localhost:5000/ns/apt:1');
  assert.equal(error.exitCode, 100);
  assert.deepEqual(error.tail, ['Installing the Debian package jq', 'E: Unable to locate package jq']);
  assert.equal(
    error.message,
    'Feature localhost:5000/ns/apt:1 failed to install (exit code 100): Installing the Debian package jq | E: Unable to locate package jq',
  );
  const other = new Error('building x: cannot reach the engine');
  assert.equal(new FeatureBuildProgress(plan, () => {}).explain(other), other);
});

test('names and values that would change the Dockerfile itself are refused', () => {
  const bad = (containerEnv: Record<string, string>) =>
    input({ features: [feature('./x', { id: 'x', containerEnv })] });
  assert.throws(
    () => planFeatureImage(bad({ 'A=1\nRUN x': 'v' })),
    /Feature \.\/x: containerEnv "A=1\nRUN x" is not a variable name/,
  );
  assert.throws(() => planFeatureImage(bad({ A: 'one\nRUN two' })), /containerEnv A has a line break/);
  assert.throws(
    () => planFeatureImage(input({ remoteUser: "me'; rm -rf /" })),
    /remoteUser "me'; rm -rf \/" is not a user name/,
  );
  assert.doesNotThrow(() =>
    planFeatureImage(input({ containerUser: '1000:1000', remoteUser: 'first.last' })),
  );
});
