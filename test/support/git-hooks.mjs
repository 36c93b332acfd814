#!/usr/bin/env node
// Secrets stop at the commit, as git-secrets stops them: `install` (the root `prepare` script, run by
// `pnpm install` in the project root) writes the pre-commit hook from package.json's "simple-git-hooks" entry;
// `pre-commit` (what the hook runs) scans the staged content of the staged files with secretlint and
// refuses the commit on a finding. Installing never fails an install: without git, outside a
// repository, or in CI it only says why it skipped. Bypass knowingly: `git commit --no-verify`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const git = (args) => spawnSync('git', args, { encoding: 'utf8' });

function install() {
  if (process.env.CI) return skip('CI: no commits are made here');
  const inside = git(['rev-parse', '--is-inside-work-tree']);
  if (inside.error) return skip('git is not installed');
  if (inside.status !== 0) return skip('not a git work tree (an unpacked tarball?)');
  // simple-git-hooks reads the "simple-git-hooks" entry of the package.json in the current directory.
  const result = spawnSync(bin('simple-git-hooks'), [], { encoding: 'utf8' });
  const said = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  if (result.status !== 0 || /\[ERROR\]/.test(said)) {
    return skip(`simple-git-hooks could not write the hook: ${said || result.error}`);
  }
  if (said) console.log(said);
  return 0;
}

function skip(why) {
  console.log(`git hooks not installed: ${why}. Secrets are still scanned by npm test.`);
  return 0;
}

/** Paths added, copied, modified or renamed in the index; the lockfile is hashes only. */
function stagedPaths() {
  const listed = git(['diff', '--cached', '--name-only', '--diff-filter=ACMR', '-z']);
  if (listed.status !== 0) throw new Error(`git diff --cached failed: ${listed.stderr}`);
  return listed.stdout.split('\0').filter((p) => p && !/(^|\/)pnpm-lock\.yaml$/.test(p));
}

function preCommit() {
  const paths = stagedPaths();
  if (paths.length === 0) return 0;
  if (!existsSync(bin('secretlint'))) {
    console.error(
      'pre-commit: secretlint is not installed here (pnpm install); commit not scanned.',
    );
    return 0;
  }
  // The index, not the work tree: a secret staged and then edited away is still caught.
  const scratch = mkdtempSync(join(tmpdir(), 'empdir-pre-commit-'));
  try {
    for (const path of paths) {
      const blob = spawnSync('git', ['show', `:${path}`], { maxBuffer: 64 * 1024 * 1024 });
      if (blob.status !== 0) throw new Error(`git show :${path} failed: ${blob.stderr}`);
      mkdirSync(dirname(join(scratch, path)), { recursive: true });
      writeFileSync(join(scratch, path), blob.stdout);
    }
    const scan = spawnSync(
      bin('secretlint'),
      ['--maskSecrets', '--secretlintrc', join(root, '.secretlintrc.json'), ...paths],
      { cwd: scratch, stdio: 'inherit' },
    );
    if (scan.status === 0) return 0;
    console.error(
      '\nCommit refused: secretlint found what looks like a secret in the staged files (above).\n' +
        'Remove it (and rotate it if it was real). If it is a deliberate fake, build it at run\n' +
        'time instead; to commit anyway, knowingly: git commit --no-verify',
    );
    return 1;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const command = process.argv[2];
if (command === 'install') process.exit(install());
else if (command === 'pre-commit') process.exit(preCommit());
else {
  console.error('usage: node test/support/git-hooks.mjs install|pre-commit');
  process.exit(2);
}
