// The pre-commit hook (test/support/git-hooks.mjs through simple-git-hooks) in a scratch repository:
// a staged secret refuses the commit, `--no-verify` gets past it knowingly, a clean commit passes,
// and installing never fails an install (no git, no repository, CI).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';

const ROOT = join(import.meta.dirname, '..', '..');
const SCRIPT = join(ROOT, 'test', 'support', 'git-hooks.mjs');
// CI is set in CI: the install must run here all the same.
const { CI: _ci, ...ENV } = process.env;

/** A fake AWS key pair made at run time, so no key-shaped text is ever committed. */
function fakeKeys() {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const id = `${'AKI'}A${[...randomBytes(16)].map((b) => alphabet[b % 32]).join('')}`;
  const secret = randomBytes(30).toString('base64');
  return { id, secret, text: `aws_access_key_id = ${id}\naws_secret_access_key = ${secret}\n` };
}

function repository() {
  const dir = mkdtempSync(join(tmpdir(), 'empdir-hooks-'));
  const git = (...args: string[]) =>
    spawnSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: { ...ENV, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com' },
    });
  git('init', '-q');
  git('config', 'user.name', 'T');
  git('config', 'user.email', 't@example.com');
  const config = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))['simple-git-hooks'];
  const hook = String(config['pre-commit']).replaceAll('test/support/git-hooks.mjs', SCRIPT);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'scratch', 'simple-git-hooks': { 'pre-commit': hook } }),
  );
  const install = (env: NodeJS.ProcessEnv = ENV) =>
    spawnSync(process.execPath, [SCRIPT, 'install'], { cwd: dir, encoding: 'utf8', env });
  return { dir, git, install };
}

t.test('the workspace installs the hook from its own prepare step', async (t) => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  t.equal(pkg.scripts.prepare, 'node test/support/git-hooks.mjs install');
  t.match(pkg['simple-git-hooks']['pre-commit'], /node test\/support\/git-hooks\.mjs pre-commit/);
  t.ok(pkg.devDependencies['simple-git-hooks'], 'simple-git-hooks is a dev dependency');
});

t.test('a staged secret refuses the commit; --no-verify commits it knowingly', async (t) => {
  const { dir, git, install } = repository();
  const installed = install();
  t.equal(installed.status, 0, installed.stdout + installed.stderr);
  t.ok(existsSync(join(dir, '.git', 'hooks', 'pre-commit')), 'the hook is written');

  writeFileSync(join(dir, 'README.md'), 'nothing to see\n');
  git('add', '.');
  const clean = git('commit', '-qm', 'clean');
  t.equal(clean.status, 0, `a clean commit passes: ${clean.stderr}`);

  const keys = fakeKeys();
  writeFileSync(join(dir, 'config.ini'), keys.text);
  git('add', 'config.ini');
  // The index is what counts: removing the secret from the work tree alone does not help.
  writeFileSync(join(dir, 'config.ini'), 'region = eu-west-1\n');
  const refused = git('commit', '-qm', 'leak');
  t.not(refused.status, 0, 'refused');
  const said = refused.stdout + refused.stderr;
  t.match(said, /Commit refused/);
  t.match(said, /--no-verify/, 'says how to bypass it');
  t.notMatch(said, keys.secret, 'the secret is masked');
  t.notMatch(git('log', '--oneline').stdout, /leak/);

  const forced = git('commit', '--no-verify', '-qm', 'knowingly');
  t.equal(forced.status, 0, '--no-verify bypasses the hook');
});

t.test('installing never fails an install', async (t) => {
  const outside = mkdtempSync(join(tmpdir(), 'empdir-no-repo-'));
  const run = (cwd: string, env: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, [SCRIPT, 'install'], { cwd, encoding: 'utf8', env });
  const noRepo = run(outside, ENV);
  t.equal(noRepo.status, 0);
  t.match(noRepo.stdout, /not a git work tree/);
  const noGit = run(outside, { ...ENV, PATH: join(outside, 'empty') });
  t.equal(noGit.status, 0);
  t.match(noGit.stdout, /git is not installed/);
  const { dir, install } = repository();
  const ci = install({ ...ENV, CI: 'true' });
  t.equal(ci.status, 0);
  t.match(ci.stdout, /CI/);
  t.notOk(existsSync(join(dir, '.git', 'hooks', 'pre-commit')), 'no hook in CI');
});
