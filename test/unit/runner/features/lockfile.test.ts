import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { LockfileError, lockfilePath, readLockfile } from '../../../../runner/features';
import {
  applyLockfile,
  lockfileFor,
  lockfileText,
  type LockableFeature,
} from '../../../../runner/features/lockfile';
import { removeProjects, tempDir } from '../../../helpers/project';

after(removeProjects);

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

const FEATURES: LockableFeature[] = [
  {
    userId: 'localhost:5000/ns/with-deps:1',
    kind: 'oci',
    version: '1.0.0',
    resolved: `localhost:5000/ns/with-deps@${D1}`,
    digest: D1,
    dependsOn: ['localhost:5000/ns/hello:1'],
  },
  { userId: './local', kind: 'local', resolved: '/p/local', digest: D2, dependsOn: [] },
  {
    userId: 'https://h/devcontainer-feature-t.tgz',
    kind: 'tarball',
    version: '2.0.0',
    resolved: 'https://h/devcontainer-feature-t.tgz',
    digest: D2,
    dependsOn: [],
  },
];

test('lockfile names: beside devcontainer.json, dotted beside .devcontainer.json', () => {
  assert.equal(lockfilePath('/p/.devcontainer/devcontainer.json'), '/p/.devcontainer/devcontainer-lock.json');
  assert.equal(lockfilePath('/p/.devcontainer.json'), '/p/.devcontainer-lock.json');
});

test('the reference format: OCI and tarball Features by id, sorted; version, resolved, integrity, dependsOn', () => {
  assert.equal(
    lockfileText(lockfileFor(FEATURES)),
    `{
  "features": {
    "https://h/devcontainer-feature-t.tgz": {
      "version": "2.0.0",
      "resolved": "https://h/devcontainer-feature-t.tgz",
      "integrity": "${D2}"
    },
    "localhost:5000/ns/with-deps:1": {
      "version": "1.0.0",
      "resolved": "localhost:5000/ns/with-deps@${D1}",
      "integrity": "${D1}",
      "dependsOn": [
        "localhost:5000/ns/hello:1"
      ]
    }
  }
}
`,
  );
});

test('written when missing or different, not otherwise; frozen refuses a difference with what differs', async () => {
  const dir = tempDir('devrig-lock-');
  const file = path.join(dir, 'devcontainer-lock.json');
  const next = lockfileFor(FEATURES);
  await assert.rejects(applyLockfile(file, await readLockfile(file), next, 'frozen'), (e: unknown) => {
    return e instanceof LockfileError && /does not exist, and the Features are frozen/.test(e.message);
  });
  const first = await applyLockfile(file, await readLockfile(file), next, 'write');
  assert.equal(first.written, true);
  assert.equal(readFileSync(file, 'utf8'), lockfileText(next));
  const again = await applyLockfile(file, await readLockfile(file), next, 'frozen');
  assert.equal(again.written, false);
  // Reformatted by hand: same content, not rewritten.
  writeFileSync(file, JSON.stringify(next));
  assert.equal((await applyLockfile(file, await readLockfile(file), next, 'write')).written, false);

  const moved = lockfileFor(FEATURES.map((f) => (f.kind === 'oci' ? { ...f, digest: D2 } : f)));
  await assert.rejects(applyLockfile(file, await readLockfile(file), moved, 'frozen'), (e: unknown) => {
    assert.ok(e instanceof LockfileError);
    assert.match(e.message, /does not match the Features resolved \(frozen lockfile\)/);
    assert.match(
      e.message,
      new RegExp(`localhost:5000/ns/with-deps:1: the lockfile pins ${D1}, resolved ${D2}`),
    );
    return true;
  });
  assert.equal(readFileSync(file, 'utf8'), JSON.stringify(next), 'frozen never writes');
  const updated = await applyLockfile(file, await readLockfile(file), moved, 'update');
  assert.equal(updated.written, true);
  assert.deepEqual(updated.differences, [
    `localhost:5000/ns/with-deps:1: the lockfile pins ${D1}, resolved ${D2}`,
  ]);
});

test('an empty lockfile exists (the reference creates one to ask for locking); bad JSON is an error', async () => {
  const dir = tempDir('devrig-lock-');
  const file = path.join(dir, 'devcontainer-lock.json');
  writeFileSync(file, '');
  assert.deepEqual(await readLockfile(file), { exists: true, text: '' });
  writeFileSync(file, '{ nope');
  await assert.rejects(readLockfile(file), /is not valid JSON/);
  writeFileSync(file, '[]');
  await assert.rejects(readLockfile(file), /has no "features" object/);
});
