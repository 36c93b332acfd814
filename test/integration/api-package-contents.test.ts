// What @empdir/api ships: its build compiles only src/ (no test helper), and the packed package,
// which is also what `pnpm deploy` puts in the artefacts, holds dist/ and no fake, sample image or
// test file. Runs the real tsc and the pinned pnpm (`pack --dry-run`, nothing written).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import t from 'tap';
import { DEPLOY_DIR } from '../../deploy/lib/templates.mjs';

const ROOT = join(DEPLOY_DIR, '..');
const API = join(ROOT, 'packages', 'api');
// Test doubles and helpers by name: the old src/testing, its new home, fakes, test files.
const TEST_ONLY =
  /(^|\/)(testing|test-support)\/|(^|\/)fake-[^/]*$|sample-images|\.test\.[cm]?[jt]sx?$/;

t.test('the package build compiles src/ alone, no test helper', async (t) => {
  const tsc = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', API, '--listFilesOnly'],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  t.equal(tsc.status, 0, tsc.stderr);
  const ours = tsc.stdout
    .split('\n')
    .filter((line) => line.startsWith(API) && !line.includes('/node_modules/'))
    .map((line) => relative(API, line));
  t.ok(ours.includes('src/app.tsx'), 'the app is built');
  t.same(
    ours.filter((path) => !path.startsWith('src/')),
    [],
    'nothing from outside src/',
  );
  t.same(
    ours.filter((path) => TEST_ONLY.test(path)),
    [],
    'no test helper, fake or test file',
  );
});

t.test('the packed package holds dist/ and no test helper', async (t) => {
  const pnpm = String(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).packageManager);
  const pack = spawnSync('npx', ['--prefer-offline', '-y', pnpm, 'pack', '--dry-run', '--json'], {
    cwd: API,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    timeout: 120_000,
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  t.equal(pack.status, 0, pack.stderr);
  const paths: string[] = JSON.parse(pack.stdout).files.map((f: { path: string }) => f.path);
  for (const path of ['dist/index.js', 'dist/lambda.js', 'dist/main.js', 'package.json']) {
    t.ok(paths.includes(path), `${path} ships`);
  }
  t.same(
    paths.filter((path) => !/^(dist\/|package\.json$|README\.md$)/.test(path)),
    [],
    'only dist/, package.json and README.md',
  );
  t.same(
    paths.filter((path) => TEST_ONLY.test(path)),
    [],
    'no test helper, fake or test file',
  );
});
