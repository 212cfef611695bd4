import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PortStatus } from '../../../../runner/api';
import { portNoticeMessage, portNotices } from '../../../../extension/ports/portNotices';
import { env } from '../../../helpers/resources';

const port = (p: number, over: Partial<PortStatus> = {}): PortStatus => ({
  port: p,
  protocol: 'tcp',
  source: 'detected',
  state: 'Forwarded',
  localPort: 40000 + p,
  listening: true,
  ...over,
});

test('port notices: only ports that become available after the first look, as onAutoForward says', () => {
  const at = (ports: PortStatus[]) => env('e', 'Running', { status: { ports } });
  // Already there at the first look: not news.
  let r = portNotices(undefined, at([port(3000)]));
  assert.deepEqual(r.notices, []);
  r = portNotices(
    r.next,
    at([
      port(3000),
      port(8080, { label: 'web' }),
      port(9000, { onAutoForward: 'openBrowser' }),
      port(9100, { onAutoForward: 'silent' }),
      port(9200, { onAutoForward: 'openPreview' }),
      port(9300, { listening: false }),
      port(9400, { state: 'Pending', localPort: undefined }),
    ]),
  );
  assert.deepEqual(
    r.notices.map((n) => [n.port.port, n.action, n.url]),
    [
      [8080, 'notify', 'http://127.0.0.1:48080'],
      [9000, 'openBrowser', 'http://127.0.0.1:49000'],
      [9200, 'openPreview', 'http://127.0.0.1:49200'],
    ],
  );
  // Nothing new: quiet.
  assert.deepEqual(portNotices(r.next, at([port(3000), port(8080)])).notices, []);
  assert.equal(
    portNoticeMessage('My App', port(8080, { label: 'web' })),
    'devrig: port 8080 (web) in My App is available at 127.0.0.1:48080.',
  );
});

test('port notices: openBrowserOnce opens the first time only; another environment starts afresh', () => {
  const at = (ports: PortStatus[], name = 'e') => env(name, 'Running', { status: { ports } });
  const once = port(5000, { onAutoForward: 'openBrowserOnce' });
  let r = portNotices(undefined, at([]));
  r = portNotices(r.next, at([once]));
  assert.deepEqual(
    r.notices.map((n) => n.action),
    ['openBrowser'],
  );
  r = portNotices(r.next, at([])); // it stopped listening …
  r = portNotices(r.next, at([once])); // … and listens again: not opened a second time
  assert.deepEqual(r.notices, []);
  const other = portNotices(r.next, at([port(7000)], 'other'));
  assert.deepEqual(other.notices, [], 'the first look at another environment');
  assert.equal(portNotices(r.next, undefined).next, undefined);
});
