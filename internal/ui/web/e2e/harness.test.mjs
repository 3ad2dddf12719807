// Tests of the harness's own parsers: the browser tests compare the console
// against numbers these compute, so they must be exact. They need neither
// chromium nor a gateway.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nanos, parseCSV } from './harness.mjs';

test('parseCSV', async (t) => {
  const cases = [
    { name: 'plain', in: 'a,b\n1,2\n', want: [['a', 'b'], ['1', '2']] },
    { name: 'no final newline', in: 'a,b\n1,2', want: [['a', 'b'], ['1', '2']] },
    { name: 'crlf', in: 'a,b\r\n1,2\r\n', want: [['a', 'b'], ['1', '2']] },
    { name: 'quoted comma and quote', in: 'a\n"x, ""y"""\n', want: [['a'], ['x, "y"']] },
    { name: 'quoted newline', in: '"l1\nl2",z\n', want: [['l1\nl2', 'z']] },
    { name: 'empty fields', in: ',,\n', want: [['', '', '']] },
  ];
  for (const c of cases) {
    await t.test(c.name, () => assert.deepEqual(parseCSV(c.in), c.want));
  }
});

test('nanos', async (t) => {
  const cases = [
    ['0.000093000', 93_000n],
    ['1.5', 1_500_000_000n],
    ['12', 12_000_000_000n],
    ['0.000000001', 1n],
    ['0.0000000019', 1n], // beyond nano precision: truncated
    ['-0.25', -250_000_000n],
  ];
  for (const [s, want] of cases) {
    await t.test(s, () => assert.equal(nanos(s), want));
  }
  await t.test('rejects junk', () => assert.throws(() => nanos('1e-9')));
  await t.test('sums exactly where floats drift', () => {
    const sum = Array(10).fill('0.100000000').reduce((n, s) => n + nanos(s), 0n);
    assert.equal(sum, 1_000_000_000n);
  });
});
