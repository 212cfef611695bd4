import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRunArgs, runArgGroups, type RunArgOptions } from '../../../../runner/devcontainer';

const EMPTY: RunArgOptions = {
  capAdd: [],
  capDrop: [],
  securityOpt: [],
  ulimits: [],
  extraHosts: [],
  dns: [],
  env: {},
  labels: {},
  devices: [],
  mounts: [],
};

const optionCases: { args: string[]; expected: Partial<RunArgOptions> }[] = [
  {
    args: ['--cap-add', 'SYS_PTRACE', '--cap-add=NET_ADMIN'],
    expected: { capAdd: ['SYS_PTRACE', 'NET_ADMIN'] },
  },
  { args: ['--cap-drop=ALL'], expected: { capDrop: ['ALL'] } },
  { args: ['--security-opt', 'seccomp=unconfined'], expected: { securityOpt: ['seccomp=unconfined'] } },
  { args: ['--init'], expected: { init: true } },
  { args: ['--init=false'], expected: { init: false } },
  { args: ['--privileged'], expected: { privileged: true } },
  { args: ['--shm-size=2g'], expected: { shmSize: 2 * 1024 ** 3 } },
  { args: ['--shm-size', '512m'], expected: { shmSize: 512 * 1024 ** 2 } },
  {
    args: ['--ulimit', 'nofile=1024:4096', '--ulimit=core=-1'],
    expected: {
      ulimits: [
        { name: 'nofile', soft: 1024, hard: 4096 },
        { name: 'core', soft: -1, hard: -1 },
      ],
    },
  },
  {
    args: [
      '--add-host',
      'db:10.0.0.5',
      '--add-host=v6=::1',
      '--add-host',
      'host.docker.internal:host-gateway',
    ],
    expected: { extraHosts: ['db:10.0.0.5', 'v6:::1', 'host.docker.internal:host-gateway'] },
  },
  { args: ['--dns', '1.1.1.1', '--dns=8.8.8.8'], expected: { dns: ['1.1.1.1', '8.8.8.8'] } },
  { args: ['--hostname', 'box'], expected: { hostname: 'box' } },
  { args: ['-h', 'box2'], expected: { hostname: 'box2' } },
  {
    args: ['-e', 'A=1', '--env=B=x=y', '-eC=', '--env', 'D=4'],
    expected: { env: { A: '1', B: 'x=y', C: '', D: '4' } },
  },
  { args: ['--label', 'team=web', '--label=flag'], expected: { labels: { team: 'web', flag: '' } } },
  { args: ['--memory=4g'], expected: { memory: 4 * 1024 ** 3 } },
  { args: ['-m', '256m'], expected: { memory: 256 * 1024 ** 2 } },
  { args: ['--cpus', '1.5'], expected: { cpus: 1.5 } },
  { args: ['--pids-limit=512'], expected: { pidsLimit: 512 } },
  { args: ['--network', 'host'], expected: { network: 'host' } },
  { args: ['--net=my_net'], expected: { network: 'my_net' } },
  { args: ['--device', '/dev/fuse', '--device=/dev/kvm'], expected: { devices: ['/dev/fuse', '/dev/kvm'] } },
  { args: ['--user', 'node', '-w', '/src'], expected: { user: 'node', workdir: '/src' } },
  { args: ['-u=1000:1000', '--workdir=/w'], expected: { user: '1000:1000', workdir: '/w' } },
  {
    args: ['-v', '/var/run/docker.sock:/var/run/docker.sock', '--mount', 'type=volume,source=c,target=/c'],
    expected: {
      mounts: [
        { type: 'bind', source: '/var/run/docker.sock', target: '/var/run/docker.sock', readOnly: false },
        { type: 'volume', source: 'c', target: '/c', readOnly: false },
      ],
    },
  },
  {
    args: ['--volume=data:/data:ro'],
    expected: { mounts: [{ type: 'volume', source: 'data', target: '/data', readOnly: true }] },
  },
  { args: ['--ipc=private', '--pid', 'private'], expected: { ipc: 'private', pid: 'private' } },
  // Host access is recorded as asked: the host access policy (runner/policy) judges it, not the parser.
  { args: ['--pid=host', '--uts', 'host'], expected: { pid: 'host', uts: 'host' } },
  { args: ['--ipc', 'host', '--userns=host'], expected: { ipc: 'host', userns: 'host' } },
  { args: ['--network=container:db'], expected: { network: 'container:db' } },
  { args: ['--cap-add=ALL'], expected: { capAdd: ['ALL'] } },
];

for (const c of optionCases) {
  test(`runArgs ${c.args.join(' ')}`, () => {
    assert.deepEqual(parseRunArgs(c.args), {
      options: { ...EMPTY, ...c.expected },
      warnings: [],
      refused: [],
    });
  });
}

const warnedCases: { args: string[]; warnings: string[] }[] = [
  { args: ['--foo'], warnings: ['runArgs: --foo is not supported by devrig and was ignored'] },
  {
    args: ['--foo', 'bar', '--init'],
    warnings: ['runArgs: --foo is not supported by devrig and was ignored'],
  },
  {
    args: ['-p', '3000:3000'],
    warnings: ['runArgs: -p is not supported by devrig and was ignored; use forwardPorts instead'],
  },
  {
    args: ['--rm', 'stray'],
    warnings: [
      'runArgs: --rm is not supported by devrig and was ignored; devrig manages the container lifecycle',
      'runArgs: "stray" is not a flag and was ignored',
    ],
  },
  { args: ['-it'], warnings: ['runArgs: -it is not supported by devrig and was ignored'] },
  { args: ['--gpus', 'all'], warnings: ['runArgs: --gpus is not supported by devrig yet and was ignored'] },
  { args: ['--gpus=all'], warnings: ['runArgs: --gpus is not supported by devrig yet and was ignored'] },
  { args: ['--cap-add'], warnings: ['runArgs: --cap-add needs a value and was ignored'] },
  { args: ['--init=maybe'], warnings: ['runArgs: --init="maybe" is not true or false and was ignored'] },
  {
    args: ['--shm-size', 'huge'],
    warnings: ['runArgs: --shm-size "huge" is not a size like 512m or 2g and was ignored'],
  },
  {
    args: ['--ulimit', 'nofile'],
    warnings: ['runArgs: --ulimit "nofile" is not name=soft[:hard] and was ignored'],
  },
  { args: ['--cpus=0'], warnings: ['runArgs: --cpus "0" is not a positive number and was ignored'] },
  {
    args: ['--pids-limit', '1.5'],
    warnings: ['runArgs: --pids-limit "1.5" is not a whole number and was ignored'],
  },
  {
    args: ['--add-host', 'nohost'],
    warnings: ['runArgs: --add-host "nohost" is not host:ip and was ignored'],
  },
  {
    args: ['-e', 'JUST_A_NAME'],
    warnings: [
      'runArgs: -e "JUST_A_NAME" has no value (use NAME=value; host variables are not passed through) and was ignored',
    ],
  },
  {
    args: ['-v', '/a:/b:bogus'],
    warnings: [
      'runArgs: -v "/a:/b:bogus" was ignored: unknown option "bogus" in volume "/a:/b:bogus"; devrig supports ro and rw',
    ],
  },
];

for (const c of warnedCases) {
  test(`runArgs warns: ${c.args.join(' ')}`, () => {
    const result = parseRunArgs(c.args);
    assert.deepEqual(result.warnings, c.warnings);
    assert.deepEqual(result.refused, []);
  });
}

test('an unknown flag swallows its value, so later flags still apply', () => {
  const result = parseRunArgs(['--restart', 'always', '--init']);
  assert.equal(result.options.init, true);
  assert.deepEqual(result.warnings, [
    'runArgs: --restart is not supported by devrig and was ignored; devrig manages the container lifecycle',
  ]);
});

const refusedCases: { args: string[]; refused: string[] }[] = [
  {
    args: ['--name', 'mine'],
    refused: ['runArgs: --name=mine is refused: devrig names its containers itself'],
  },
  { args: ['--name=mine'], refused: ['runArgs: --name=mine is refused: devrig names its containers itself'] },
  {
    args: ['--label', 'devrig.environment=x'],
    refused: [
      'runArgs: --label=devrig.environment=x is refused: labels starting with "devrig." are devrig\'s own',
    ],
  },
];

for (const c of refusedCases) {
  test(`runArgs refuses: ${c.args.join(' ')}`, () => {
    const result = parseRunArgs(c.args);
    assert.deepEqual(result.refused, c.refused);
    assert.deepEqual(result.options, EMPTY);
    assert.deepEqual(result.warnings, []);
  });
}

test('runArgGroups: each supported flag with its value and where it starts', () => {
  assert.deepEqual(runArgGroups(['--init', '--network', 'host', '--foo', 'bar', '-v=/a:/b', '--memory']), [
    { index: 0, args: ['--init'] },
    { index: 1, args: ['--network', 'host'] },
    { index: 5, args: ['-v=/a:/b'] },
  ]);
});
