import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkUpgrade } from '../../../../runner/server/auth';

const token = 'a'.repeat(43);
const cases: [string, Record<string, string>, string][] = [
  ['token ok', { authorization: `Bearer ${token}` }, 'ok'],
  ['no header', {}, '401 missing token'],
  ['not Bearer', { authorization: `Basic ${token}` }, '401 missing token'],
  ['wrong token', { authorization: `Bearer ${'b'.repeat(43)}` }, '401 wrong token'],
  ['shorter token', { authorization: 'Bearer aaa' }, '401 wrong token'],
  [
    'any Origin',
    { authorization: `Bearer ${token}`, origin: 'http://localhost:1234' },
    '403 browser origins are refused',
  ],
  ['null Origin', { authorization: `Bearer ${token}`, origin: 'null' }, '403 browser origins are refused'],
];
for (const [name, headers, want] of cases) {
  test(`upgrade: ${name}`, () => {
    const v = checkUpgrade({ headers }, token);
    assert.equal(v.ok ? 'ok' : `${v.status} ${v.reason}`, want);
  });
}
