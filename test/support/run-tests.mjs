#!/usr/bin/env node
// `npm test` after installation: the quality gates, then every unit and integration test under tap.
// Prints the closing `N passed, N failed` line CI reads (tap's own summary line is not that format).
// Each gate counts as one check beside tap's test points. Pass tap arguments after `--`.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { judgeCoverage, tapCounts } from './coverage-gate.mjs';
import { ensureSystemPackages } from './system-packages.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
/** Coverage floors (percent) over the code the tests load; raise them as the suite grows. */
const coverageThreshold = { lines: 95, statements: 95, functions: 95, branches: 85 };

const tapArgs = process.argv.slice(2);
let inFailure = false;
const gates = [];

function gate(name, cmd, args) {
  console.log(`\n=== ${name}: ${[cmd.replace(`${root}/`, ''), ...args].join(' ')}`);
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  const ok = result.status === 0;
  gates.push({ name, ok });
  console.log(`=== ${name}: ${ok ? 'ok' : 'FAILED'}`);
  return ok;
}

function trackedFiles() {
  const result = spawnSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) return ['**/*'];
  return result.stdout.split('\0').filter((f) => f && !/(^|\/)pnpm-lock\.yaml$/.test(f));
}

ensureSystemPackages();

gate('typecheck', process.execPath, [
  join(root, 'node_modules/typescript/bin/tsc'),
  '-b',
  'packages/shared',
  'packages/imds-cache',
  'packages/api',
  'test',
]);
gate('lint', bin('biome'), ['check', '--error-on-warnings', '.']);
gate('secret scan', bin('secretlint'), ['--maskSecrets', ...trackedFiles()]);

console.log('\n=== tests: tap');
const reportDir = join(root, '.tap');
mkdirSync(reportDir, { recursive: true });
// The gate below must judge this run's figures, never a report an earlier run left behind.
rmSync(join(reportDir, 'report'), { recursive: true, force: true });
const tapReport = join(reportDir, 'last-run.tap');
const tapExit = await new Promise((resolve) => {
  const child = spawn(bin('tap'), ['--reporter=tap', ...tapArgs], {
    cwd: root,
    env: {
      ...process.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      FORCE_COLOR: '0',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const chunks = [];
  let pending = '';
  child.stdout.on('data', (chunk) => {
    chunks.push(chunk);
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) showTapLine(line);
  });
  child.on('close', (code) => {
    if (pending) showTapLine(pending);
    writeFileSync(tapReport, Buffer.concat(chunks));
    resolve({ code: code ?? 1, text: Buffer.concat(chunks).toString('utf8') });
  });
});

// Top-level results, failures with their diagnostics, and tap's coverage and summary comments.
function showTapLine(line) {
  if (/^\s*not ok /.test(line) && !/# TODO/.test(line)) inFailure = true;
  else if (/^\s*(ok |# Subtest)/.test(line)) inFailure = false;
  if (
    inFailure ||
    /^(ok|not ok) /.test(line) ||
    /^# (?!Subtest)/.test(line) ||
    /^(Statements|Branches|Functions|Lines)\s*:/.test(line)
  ) {
    console.log(line);
  }
}

const counts = tapCounts(tapExit.text);
let passed = counts.assertions?.pass ?? 0;
let failed = counts.assertions?.fail ?? 0;
if (!counts.assertions) {
  console.log('tap printed no summary: counting the run as one failure.');
  failed += 1;
} else if (tapExit.code !== 0 && failed === 0) {
  console.log(
    `tap exited with ${tapExit.code} without a failing test point: counting one failure.`,
  );
  failed += 1;
}
const { files, assertions } = counts;
console.log(
  `tap: ${files.total} test files (${files.pass} ok, ${files.fail} failed, ${files.skip} skipped); ` +
    (assertions
      ? `${assertions.total} assertions (${assertions.pass} pass, ${assertions.fail} fail, ${assertions.skip} skip)`
      : 'no assertion summary'),
);
console.log(`Full TAP output: ${tapReport.replace(`${root}/`, '')}`);

// Without a report from this run (tap failed early, --disable-coverage, …) the gate fails.
const coverage = judgeCoverage(
  join(reportDir, 'report', 'coverage-summary.json'),
  coverageThreshold,
);
gates.push({ name: coverage.name, ok: coverage.ok });
if (!coverage.ok) console.log(`Coverage gate: ${coverage.problems.join('; ')}`);

console.log('\nChecks:');
for (const g of gates) console.log(`  ${g.ok ? 'ok    ' : 'FAILED'} ${g.name}`);
passed += gates.filter((g) => g.ok).length;
failed += gates.filter((g) => !g.ok).length;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
