import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { acquireDaemonLock, DaemonLockedError, lockHolder, lockPathFor } from './daemon-lock.js';

async function tempTokenFile(t: Test) {
  const dir = await mkdtemp(join(tmpdir(), 'imds-cache-lock-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return { dir, tokenFile: join(dir, 'run', 'token') };
}

/** A pid that surely exited: a child that ran and was reaped. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid ?? 999_999;
}

t.test('one holder at a time; release lets the next one in', async (t) => {
  const { tokenFile } = await tempTokenFile(t);
  const lock = await acquireDaemonLock(tokenFile);
  t.equal(lock.path, lockPathFor(tokenFile));
  t.match(await readFile(lock.path, 'utf8'), new RegExp(`^${process.pid} (\\d+|-)\\n$`));
  const second = await acquireDaemonLock(tokenFile).catch((e: unknown) => e);
  t.type(second, DaemonLockedError);
  t.match(second, { pid: process.pid, message: /already running \(pid \d+/ });
  await lock.release();
  await lock.release();
  const again = await acquireDaemonLock(tokenFile);
  await again.release();
  t.same(await readdir(join(tokenFile, '..')), [], 'nothing left behind');
});

t.test('a live holder in another process keeps the lock; lockHolder names it', async (t) => {
  const { tokenFile } = await tempTokenFile(t);
  await acquireDaemonLock(tokenFile).then((lock) => lock.release());
  // The parent of this test process is alive (tap's runner) and is not us.
  await writeFile(lockPathFor(tokenFile), `${process.ppid} -\n`);
  await t.rejects(acquireDaemonLock(tokenFile), { name: 'DaemonLockedError', pid: process.ppid });
  t.match(await lockHolder(tokenFile), { pid: process.ppid });
});

t.test('a dead holder, a reused pid or garbage is recovered', async (t) => {
  const { tokenFile } = await tempTokenFile(t);
  await acquireDaemonLock(tokenFile).then((lock) => lock.release());
  const path = lockPathFor(tokenFile);
  for (const stale of [
    `${deadPid()} -\n`,
    `${process.ppid} 1\n`,
    'garbage',
    `${process.pid} -\n`,
  ]) {
    await writeFile(path, stale);
    t.equal(await lockHolder(tokenFile), undefined, 'no live holder');
    const lock = await acquireDaemonLock(tokenFile);
    t.match(
      await readFile(path, 'utf8'),
      new RegExp(`^${process.pid} `),
      `recovered ${stale.trim()}`,
    );
    await lock.release();
  }
  t.equal(await lockHolder(tokenFile), undefined, 'no lock file, no holder');
});

t.test('release leaves a lock that is no longer ours', async (t) => {
  const { tokenFile } = await tempTokenFile(t);
  const lock = await acquireDaemonLock(tokenFile);
  await writeFile(lock.path, `${process.ppid} -\n`);
  await lock.release();
  t.equal(await readFile(lock.path, 'utf8'), `${process.ppid} -\n`);
});
