// The number formats the console's tiles and tables promise (the browser
// tests compare tile text with the ledger, so these are exact).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as f from '../src/format.js';

test('tile formats: integers without separators, USD with 6 decimals, percent with 1, ms with 1', () => {
  const cases = [
    [f.int(1234567), '1234567'],
    [f.int(0), '0'],
    [f.int(undefined), '0'],
    [f.usd(0.001234), '$0.001234'],
    [f.usd(0.0000004), '$0.000000'],
    [f.usd(12.5), '$12.500000'],
    [f.usd(NaN), '$0.000000'],
    [f.pct(0.025), '2.5%'],
    [f.pct(0), '0.0%'],
    [f.pct(1), '100.0%'],
    [f.ms(123.456), '123.5'],
    [f.msUnit(999.9), '999.9 ms'],
    [f.msUnit(1500), '1.50 s'],
    [f.count(1234567), '1,234,567'],
  ];
  for (const [got, want] of cases) assert.equal(got, want);
});

test('short forms for axes and bars', () => {
  assert.equal(f.si(0), '0');
  assert.equal(f.si(1500), '1.5k');
  assert.equal(f.si(2500000), '2.5M');
  assert.equal(f.usdShort(0), '$0');
  assert.equal(f.usdShort(0.5), '$0.500');
  assert.equal(f.usdShort(12.345), '$12.35');
  assert.equal(f.usdShort(2500), '$2,500');
  assert.equal(f.usdShort(0.0012), '$0.0012');
});

test('plural: singular for exactly one', () => {
  assert.equal(f.plural(0, 'error'), '0 errors');
  assert.equal(f.plural(1, 'error'), '1 error');
  assert.equal(f.plural(2, 'error'), '2 errors');
  assert.equal(f.plural(1234, 'error'), '1234 errors');
  assert.equal(f.plural(undefined, 'error'), '0 errors');
  assert.equal(f.plural(1, 'entry', 'entries'), '1 entry');
  assert.equal(f.plural(3, 'entry', 'entries'), '3 entries');
});
