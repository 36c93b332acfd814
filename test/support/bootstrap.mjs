#!/usr/bin/env node
// The README's two commands start here. Only Node built-ins are used: on a fresh machine nothing
// else is installed yet. It installs the pinned pnpm's workspace when the lockfile changed, builds,
// then hands over to the test runner or the local stack.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const command = process.argv[2];
const rest = process.argv.slice(3);

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function pinnedPnpm() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const pin = String(pkg.packageManager ?? '');
  if (!/^pnpm@\d+\.\d+\.\d+$/.test(pin))
    throw new Error(`package.json packageManager must pin pnpm, got "${pin}"`);
  return pin;
}

function installInputsHash() {
  const hash = createHash('sha256');
  for (const file of [
    'pnpm-lock.yaml',
    'pnpm-workspace.yaml',
    'package.json',
    'packages/api/package.json',
    'packages/imds-cache/package.json',
    'packages/shared/package.json',
  ]) {
    const path = join(root, file);
    hash.update(file).update(existsSync(path) ? readFileSync(path) : '');
  }
  return hash.digest('hex');
}

function ensureInstalled() {
  const stamp = join(root, 'node_modules', '.empdir-install-stamp');
  const wanted = installInputsHash();
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return;
  console.log(`Installing dependencies with ${pinnedPnpm()} (first run or lockfile changed)…`);
  // npx brings the pinned pnpm: a fresh machine has no global pnpm and corepack may fail there.
  const status = run('npx', ['-y', pinnedPnpm(), 'install', '--frozen-lockfile'], {
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  if (status !== 0) {
    console.error('Dependency installation failed; see the output above.');
    process.exit(status);
  }
  writeFileSync(stamp, installInputsHash());
}

function build() {
  return run(process.execPath, [
    join(root, 'node_modules/typescript/bin/tsc'),
    '-b',
    'packages/shared',
    'packages/imds-cache',
    'packages/api',
  ]);
}

ensureInstalled();
if (command === 'test') {
  process.exit(run(process.execPath, [join(root, 'test/support/run-tests.mjs'), ...rest]));
} else if (command === 'start') {
  if (build() !== 0) process.exit(1);
  process.exit(
    run(process.execPath, [join(root, 'test/support/start-local-stack.mjs'), ...rest], {
      // The SDK's Node-version notice is noise for a local demo that also runs on Node 22.
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    }),
  );
} else if (command === 'install') {
  process.exit(0);
} else {
  console.error('usage: node test/support/bootstrap.mjs start|test|install [args]');
  process.exit(2);
}
