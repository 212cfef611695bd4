import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseListeningPorts } from '../../../../runner/ports/portDetector';
import { attributesFor, localUrl, planPorts, type PortsConfig } from '../../../../runner/ports/portPlan';

const HEADER =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
const tail = '00000000:00000000 00:00000000 00000000  1000        0 12345 1 0000000000000000 100 0 0 10 0';
const v4 = (local: string, state: string, remote = '00000000:0000') =>
  `   0: ${local} ${remote} ${state} ${tail}`;
const ZERO6 = '0'.repeat(32);
const v6 = (addr: string, port: string, state: string) =>
  `   0: ${addr}:${port} ${ZERO6}:0000 ${state} ${tail}`;

const detection: [string, string[], number[]][] = [
  ['0.0.0.0 listener', [v4('00000000:1F90', '0A')], [8080]],
  ['127.0.0.1 listener', [v4('0100007F:0CEA', '0A')], [3306]],
  ['another address is not reachable through 127.0.0.1', [v4('0A00000A:1F91', '0A')], []],
  ['established connections are not listeners', [v4('0100007F:1F90', '01', '0100007F:D2F0')], []],
  [':: listener', [v6(ZERO6, '1F92', '0A')], [8082]],
  ['::1 only is not reachable through 127.0.0.1', [v6('00000000000000000000000001000000', '1F93', '0A')], []],
  ['::ffff:127.0.0.1', [v6('0000000000000000FFFF00000100007F', '1F94', '0A')], [8084]],
  [
    'v4 and v6 of one port count once, sorted',
    [v6(ZERO6, '1F90', '0A'), v4('00000000:0050', '0A'), v4('00000000:1F90', '0A')],
    [80, 8080],
  ],
  ['garbage lines are skipped', ['cat: /proc/net/tcp6: No such file', '', 'x: y z 0A'], []],
];
for (const [what, lines, want] of detection) {
  test(`parseListeningPorts: ${what}`, () => {
    assert.deepEqual(parseListeningPorts([HEADER, ...lines, HEADER].join('\n')), want);
  });
}

const config: PortsConfig = {
  forwardPorts: [3000, 5432],
  portsAttributes: {
    '3000': { label: 'App', onAutoForward: 'openBrowser', protocol: 'https' },
    '9000-9100': { label: 'Range', onAutoForward: 'ignore' },
    ' 5432 ': { label: 'DB', requireLocalPort: true },
  },
  otherPortsAttributes: { onAutoForward: 'silent' },
};

const attributes: [number, object][] = [
  [3000, { label: 'App', onAutoForward: 'openBrowser', protocol: 'https' }],
  [9000, { label: 'Range', onAutoForward: 'ignore' }],
  [9100, { label: 'Range', onAutoForward: 'ignore' }],
  [5432, { label: 'DB', requireLocalPort: true }],
  [8080, { onAutoForward: 'silent' }],
];
for (const [port, want] of attributes) {
  test(`attributesFor ${port}`, () => assert.deepEqual(attributesFor(port, config), want));
}

test('planPorts: configured ports always, listening ones unless ignored, sorted', () => {
  const plan = planPorts(config, [3000, 8080, 9050]);
  assert.deepEqual(
    plan.map((p) => [p.port, p.source, p.listening, p.forward]),
    [
      [3000, 'config', true, true],
      [5432, 'config', false, true],
      [8080, 'detected', true, true],
      [9050, 'detected', true, false],
    ],
  );
  assert.equal(planPorts({ forwardPorts: [], portsAttributes: {} }, []).length, 0);
});

test('localUrl follows the protocol attribute', () => {
  assert.equal(localUrl(3000, { protocol: 'https' }), 'https://127.0.0.1:3000');
  assert.equal(localUrl(49152, {}), 'http://127.0.0.1:49152');
});

test('parseListeningPorts: on a plain host only the sockets of the environment count', () => {
  const line = (port: string, inode: string) =>
    `   0: 00000000:${port} 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 ${inode} 1 0 100 0 0 10 0`;
  const text = [
    HEADER,
    line('0016', '111'),
    line('1F90', '222'),
    line('1F91', '333'),
    'devrig-scope: 222 999',
  ].join('\n');
  assert.deepEqual(parseListeningPorts(text), [8080]);
  assert.deepEqual(parseListeningPorts(text.replace('devrig-scope: 222 999', 'devrig-scope:')), []);
});
