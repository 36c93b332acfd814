#!/usr/bin/env node
// Builds the deployable artefacts into deploy/dist/ (or --out DIR):
//   empdir-<version>.tar.gz         api/ and imds-cache/ (dist + production node_modules) and
//                                   systemd/, for ec2.yaml's ArtifactKey
//   empdir-<version>-lambda.zip     the API alone, handler dist/lambda.handler, for serverless.yaml
// each with a .sha256 beside it. Production dependencies come from the workspace lockfile through
// `pnpm deploy`, so the bundle holds exactly what was tested, and no devDependency.
// Options: --out DIR, --version NAME (default: the git commit), --skip-build (dist is current).
// Native modules (sharp) are those of this machine: build on linux-x64 for EC2 x86_64 and Lambda.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cp, mkdir, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const PACKAGES = /** @type {const} */ (['api', 'imds-cache']);

const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: join(ROOT, 'deploy', 'dist') },
    version: { type: 'string' },
    'skip-build': { type: 'boolean', default: false },
  },
});

/**
 * @param {string} cmd
 * @param {string[]} cmdArgs
 * @param {import('node:child_process').SpawnSyncOptions} [options]
 */
function run(cmd, cmdArgs, options = {}) {
  const result = spawnSync(cmd, cmdArgs, { cwd: ROOT, encoding: 'utf8', ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${cmd} ${cmdArgs.join(' ')} exited ${result.status}\n${result.stderr ?? ''}`);
  }
  return String(result.stdout ?? '').trim();
}

/** @param {string} path */
function sha256(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function version() {
  if (args.version) return args.version;
  const commit = run('git', ['rev-parse', '--short=12', 'HEAD']);
  const dirty = run('git', ['status', '--porcelain', '--', 'packages', 'deploy/systemd']) !== '';
  return dirty ? `${commit}-dirty` : commit;
}

/** Removes what only the build needs: TypeScript inputs and build info, and node_modules/.bin. */
async function prune(/** @type {string} */ dir) {
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    const buildOnly =
      entry.name.endsWith('.tsbuildinfo') ||
      (entry.name === '.bin' && entry.parentPath.endsWith('node_modules')) ||
      (/^tsconfig.*\.json$/.test(entry.name) && !entry.parentPath.includes('node_modules/')) ||
      (entry.name === 'src' && !entry.parentPath.includes('node_modules/', dir.length));
    if (buildOnly && existsSync(path)) rmSync(path, { recursive: true, force: true });
  }
  const shared = join(dir, 'node_modules', '@empdir', 'shared');
  for (const leftover of ['src', 'tsconfig.json', 'tsconfig.tsbuildinfo']) {
    rmSync(join(shared, leftover), { recursive: true, force: true });
  }
}

const name = `empdir-${version()}`;
if (!/^empdir-[A-Za-z0-9._-]+$/.test(name)) throw new Error(`unusable version in "${name}"`);
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.warn(
    `warning: building on ${process.platform}-${process.arch}; sharp will not load on linux-x64`,
  );
}

if (!args['skip-build']) {
  console.error('building packages/shared, packages/imds-cache, packages/api');
  run(
    process.execPath,
    [
      join(ROOT, 'node_modules/typescript/bin/tsc'),
      '-b',
      'packages/shared',
      'packages/imds-cache',
      'packages/api',
    ],
    { stdio: 'inherit' },
  );
}
for (const [pkg, entry] of [
  ['api', 'dist/main.js'],
  ['api', 'dist/lambda.js'],
  ['imds-cache', 'dist/main.js'],
  ['shared', 'dist/index.js'],
]) {
  if (!existsSync(join(ROOT, 'packages', pkg ?? '', entry ?? ''))) {
    throw new Error(`packages/${pkg}/${entry} is missing: build first (drop --skip-build)`);
  }
}

const staging = mkdtempSync(join(tmpdir(), 'empdir-artifact-'));
const bundle = join(staging, name);
try {
  const pnpm = String(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).packageManager);
  // Injected workspace packages make `deploy` follow the lockfile; hoisted: no symlinks to break in a zip.
  const deploy = PACKAGES.map(
    (pkg) =>
      `pnpm --filter @empdir/${pkg} deploy --prod --prefer-offline --config.inject-workspace-packages=true --config.node-linker=hoisted '${join(bundle, pkg)}'`,
  );
  console.error(`pnpm deploy ${PACKAGES.join(', ')}: production dependencies from the lockfile`);
  // One npx for both: resolving the pinned pnpm costs seconds each time.
  run('npx', ['--prefer-offline', '-y', '-p', pnpm, '-c', deploy.join(' && ')], {
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  for (const pkg of PACKAGES) await prune(join(bundle, pkg));
  await mkdir(join(bundle, 'systemd'));
  for (const unit of ['imds-guard.service', 'imds-cache.service', 'employee-directory.service']) {
    await cp(join(ROOT, 'deploy', 'systemd', unit), join(bundle, 'systemd', unit));
  }
  writeFileSync(
    join(bundle, 'manifest.json'),
    `${JSON.stringify({ name, node: '22', platform: `${process.platform}-${process.arch}` }, null, 2)}\n`,
  );

  await mkdir(args.out, { recursive: true });
  const tarball = join(args.out, `${name}.tar.gz`);
  const zip = join(args.out, `${name}-lambda.zip`);
  rmSync(zip, { force: true });
  // Root-owned, name-sorted entries: the same inputs give the same tarball listing.
  run('tar', [
    '--sort=name',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '-czf',
    tarball,
    '-C',
    staging,
    name,
  ]);
  run('zip', ['-q', '-r', '-X', zip, '.'], { cwd: join(bundle, 'api') });

  const built = [tarball, zip].map((path) => {
    const digest = sha256(path);
    const file = path.slice(args.out.length + 1);
    writeFileSync(`${path}.sha256`, `${digest}  ${file}\n`);
    console.error(`${file}  ${(statSync(path).size / 1e6).toFixed(1)} MB  sha256 ${digest}`);
    return { file: path, sha256: digest };
  });
  process.stdout.write(
    `${JSON.stringify({ name, tarball: built[0], lambdaZip: built[1] }, null, 2)}\n`,
  );
} finally {
  rmSync(staging, { recursive: true, force: true });
}
