#!/usr/bin/env node
// `npm run mutate [-- stryker args]`: StrykerJS with the config beside this file, then the
// per-package summary (results/summary.json and results/summary.md). MUTATE_PACKAGES=shared runs
// whole packages; MUTATE=glob,glob narrows a run to some modules (see stryker.config.mjs).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSummary } from './summary.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const stryker = spawnSync(
  join(root, 'node_modules', '.bin', 'stryker'),
  ['run', 'test/mutation/stryker.config.mjs', ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      FORCE_COLOR: '0',
      // The test files run as plain node, not through the tap CLI: give them the repo's tap timeout.
      TAP_TIMEOUT: '240',
    },
  },
);
if (stryker.status !== 0) {
  console.error(`stryker exited with ${stryker.status ?? stryker.signal}`);
  process.exit(stryker.status ?? 1);
}
// A run narrowed to some modules says nothing about a package as a whole: print, do not save.
writeSummary(root, {
  save: !process.env.MUTATE,
  packages: process.env.MUTATE_PACKAGES?.split(','),
  files: process.env.MUTATE?.split(','),
});
