// Runs deploy/build-artifact.mjs for real (about 20 s: two `pnpm deploy`s, tar and zip) and starts
// what it made: the tarball's daemon and API load their whole module graph and stop at config
// validation, and the Lambda zip's handler imports. Needs the packages built (npm test's typecheck
// gate does it) and `zip`/`tar` on PATH.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { DEPLOY_DIR } from '../../deploy/lib/templates.mjs';

const ROOT = join(DEPLOY_DIR, '..');
const work = mkdtempSync(join(tmpdir(), 'empdir-artifact-test-'));
const out = join(work, 'out');
const version = `test${process.pid}`;
const name = `empdir-${version}`;

const build = spawnSync(
  process.execPath,
  ['deploy/build-artifact.mjs', '--skip-build', '--out', out, '--version', version],
  { cwd: ROOT, encoding: 'utf8', timeout: 180_000 },
);
const run = (cmd: string, args: string[], cwd = work, env: NodeJS.ProcessEnv = {}) =>
  spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { PATH: process.env.PATH, ...env },
  });

t.test('the build succeeds and reports both files with their digests', async (t) => {
  t.equal(build.status, 0, `build-artifact.mjs: ${build.stderr}`);
  const report = JSON.parse(build.stdout);
  t.equal(report.name, name);
  for (const [key, file] of [
    ['tarball', `${name}.tar.gz`],
    ['lambdaZip', `${name}-lambda.zip`],
  ] as const) {
    const path = join(out, file);
    const digest = createHash('sha256').update(readFileSync(path)).digest('hex');
    t.equal(report[key].sha256, digest, `${file}: the reported digest`);
    t.equal(
      readFileSync(`${path}.sha256`, 'utf8'),
      `${digest}  ${file}\n`,
      `${file}.sha256 for sha256sum -c`,
    );
  }
});

t.test('the tarball holds both programs, the units and production dependencies only', async (t) => {
  const tarball = join(out, `${name}.tar.gz`);
  // Names alone: `tar -tv` shows pnpm's hard links as "a link to b".
  const paths = new Set(run('tar', ['-tzf', tarball]).stdout.trim().split('\n'));
  const listing = run('tar', ['-tvzf', tarball]).stdout.trim().split('\n');
  for (const path of [
    'api/dist/main.js',
    'api/dist/lambda.js',
    'api/node_modules/@empdir/shared/dist/index.js',
    'api/node_modules/hono/package.json',
    'api/node_modules/@img/sharp-linux-x64/package.json',
    'imds-cache/dist/main.js',
    'imds-cache/node_modules/@empdir/shared/dist/index.js',
    'systemd/imds-guard.service',
    'systemd/imds-cache.service',
    'systemd/employee-directory.service',
    'manifest.json',
  ]) {
    t.ok(paths.has(`${name}/${path}`), path);
  }
  const unwanted = [...paths].filter((p) =>
    /node_modules\/(\.bin|typescript|tap|@cloud-copilot|@aws\/cloudformation-validate|@biomejs)\/|\.tsbuildinfo$|^[^/]+\/[^/]+\/(src|testing|test-support)\/|^[^/]+\/api\/dist\/testing\//.test(
      p,
    ),
  );
  t.same(
    unwanted,
    [],
    'no dev tools (and no AGPL simulator), no TypeScript sources, no test helpers',
  );
  t.ok(
    listing.every((line) => line.includes(' 0/0 ')),
    'every entry owned by root',
  );
});

t.test('the unpacked programs load and stop at their config checks', async (t) => {
  const root = join(work, 'ec2');
  mkdirSync(root);
  run('tar', ['-xzf', join(out, `${name}.tar.gz`), '-C', root, '--strip-components=1']);
  const api = run(process.execPath, ['api/dist/main.js'], root);
  t.equal(api.status, 2, 'the API exits 2 without its settings');
  t.match(api.stderr, /TABLE_NAME: required/);
  const daemon = run(process.execPath, ['imds-cache/dist/main.js'], root, {
    IMDS_CACHE_LISTEN: 'bogus',
  });
  t.equal(daemon.status, 2, 'the daemon exits 2 on a bad setting');
  t.match(daemon.stderr, /IMDS_CACHE_LISTEN/);
  for (const unit of ['imds-guard.service', 'imds-cache.service', 'employee-directory.service']) {
    t.equal(
      readFileSync(join(root, 'systemd', unit), 'utf8'),
      readFileSync(join(DEPLOY_DIR, 'systemd', unit), 'utf8'),
      `${unit} as committed`,
    );
  }
});

t.test("the Lambda zip's handler is dist/lambda.handler and its sharp works", async (t) => {
  const root = join(work, 'lambda');
  mkdirSync(root);
  t.equal(run('unzip', ['-q', join(out, `${name}-lambda.zip`), '-d', root]).status, 0);
  const probe = run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      [
        "const { handler } = await import('./dist/lambda.js');",
        "const sharp = (await import('sharp')).default;",
        "const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } }).png().toBuffer();",
        'console.log(typeof handler, png.length > 0);',
      ].join('\n'),
    ],
    root,
  );
  t.equal(probe.stdout.trim(), 'function true', `handler and sharp: ${probe.stderr}`);
  t.equal(
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).type,
    'module',
    'ESM at the zip root',
  );
});
