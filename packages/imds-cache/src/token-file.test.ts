import {
  chmod,
  chown,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { readIntactToken, reuseOrWriteToken, writeTokenFile } from './token-file.js';

t.test('writes a fresh base64url token of at least 32 bytes, mode 0640, atomically', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'imds-cache-token-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'sub', 'token');
  const previousUmask = process.umask(0o077);
  let token: string;
  try {
    token = await writeTokenFile(path);
  } finally {
    process.umask(previousUmask);
  }
  t.match(token, /^[A-Za-z0-9_-]{43}$/);
  t.ok(Buffer.from(token, 'base64url').length >= 32);
  t.equal(await readFile(path, 'utf8'), token, 'no trailing newline');
  t.equal((await stat(path)).mode & 0o777, 0o640, 'exactly 0640 whatever the umask');

  await writeFile(path, 'old');
  const second = await writeTokenFile(path);
  t.not(second, token, 'a new token per start');
  t.equal(await readFile(path, 'utf8'), second);
  t.same(await readdir(join(dir, 'sub')), ['token'], 'no temporary files left behind');
});

t.test('a failed rename leaves no temporary file behind', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'imds-cache-token-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  // A non-empty directory where the token should go: the final rename fails.
  await mkdir(join(dir, 'token'));
  await writeFile(join(dir, 'token', 'keep'), '');
  await t.rejects(writeTokenFile(join(dir, 'token')));
  t.same(await readdir(dir), ['token']);
});

t.test('an intact token is reused; a wrong mode, size or kind is replaced', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'imds-cache-token-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'token');
  const first = await reuseOrWriteToken(path);
  t.match(first, { reused: false, problem: 'no token file' });
  t.same(await reuseOrWriteToken(path), { token: first.token, reused: true });

  await chmod(path, 0o644);
  const widened = await reuseOrWriteToken(path);
  t.match(widened, { reused: false, problem: /mode 644/ });
  t.not(widened.token, first.token, 'a readable-by-all token is not trusted');
  t.equal((await stat(path)).mode & 0o777, 0o640);

  await writeFile(path, `${widened.token}\n`, { mode: 0o640 });
  t.match(await reuseOrWriteToken(path), { reused: false, problem: /44 bytes/ });

  await writeFile(path, '!'.repeat(43));
  t.match(await readIntactToken(path), { problem: 'not a token' });

  await rm(path);
  await symlink(join(dir, 'elsewhere'), path);
  t.match(await readIntactToken(path), { problem: 'not a regular file' });
});

t.test(
  'a token file owned by another uid is not trusted',
  { skip: process.getuid?.() === 0 ? false : 'needs root to hand the file to another uid' },
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'imds-cache-token-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'token');
    await writeTokenFile(path);
    await chown(path, 4242, 4242);
    t.same(await readIntactToken(path), { problem: 'owned by uid 4242' });
  },
);

t.test(
  'writing the token closes the file it opened',
  { skip: process.platform === 'linux' ? false : 'counts /proc/self/fd' },
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'imds-cache-token-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const before = (await readdir('/proc/self/fd')).length;
    for (let i = 0; i < 5; i++) await writeTokenFile(join(dir, 'token'));
    t.equal((await readdir('/proc/self/fd')).length, before);
  },
);
