// The `npm test` runner's coverage gate and counts: a missing or unknown figure fails the gate.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { judgeCoverage, tapCounts } from '../support/coverage-gate.mjs';

const floors = { lines: 95, statements: 95, functions: 95, branches: 85 };
const dir = mkdtempSync(join(tmpdir(), 'coverage-gate-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function report(total: unknown): string {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify({ total }));
  return path;
}
const figures = (pct: unknown, branches: unknown = pct) => ({
  lines: { pct },
  statements: { pct },
  functions: { pct },
  branches: { pct: branches },
});

t.test('figures at or over every floor pass, and are shown', async (t) => {
  const verdict = judgeCoverage(report(figures(96, 85)), floors);
  t.equal(verdict.ok, true);
  t.equal(verdict.name, 'coverage (lines 96%, statements 96%, functions 96%, branches 85%)');
});

t.test('one figure under its floor fails and is named', async (t) => {
  const verdict = judgeCoverage(report(figures(96, 84.9)), floors);
  t.equal(verdict.ok, false);
  t.same(verdict.problems, ['branches 84.9% < 85%']);
});

t.test('a missing report fails (no stale figures, no silent skip)', async (t) => {
  const verdict = judgeCoverage(join(dir, 'absent', 'coverage-summary.json'), floors);
  t.equal(verdict.ok, false);
  t.match(verdict.name, /no report from this run/);
});

t.test('"Unknown", missing and unreadable figures fail', async (t) => {
  t.equal(judgeCoverage(report(figures('Unknown')), floors).ok, false, 'Unknown');
  t.match(judgeCoverage(report(figures('Unknown')), floors).problems[0], /"Unknown", not a number/);
  t.equal(judgeCoverage(report({ lines: { pct: 99 } }), floors).ok, false, 'figures missing');
  t.equal(judgeCoverage(report(undefined), floors).ok, false, 'no total');
  const garbled = join(dir, 'garbled.json');
  writeFileSync(garbled, '{ not json');
  t.equal(judgeCoverage(garbled, floors).ok, false, 'unreadable');
});

t.test('tap output: files from top-level points, assertions from the summary', async (t) => {
  const text = [
    'TAP version 14',
    'ok 1 - a.test.ts # time=1ms',
    '    ok 1 - inner point is not a file',
    'not ok 2 - b.test.ts # time=2ms',
    'ok 3 - c.test.ts # SKIP no browser',
    '# { total: 12, pass: 9, fail: 2, skip: 1 }',
  ].join('\n');
  t.same(tapCounts(text), {
    files: { total: 3, pass: 1, fail: 1, skip: 1 },
    assertions: { total: 12, pass: 9, fail: 2, skip: 1 },
  });
  t.equal(tapCounts('no summary here').assertions, undefined);
});
