// One daemon per token file, and a token that outlives restarts: a stray second start changes
// nothing, a restart keeps the token's value, SIGHUP rotates it (with an overlap) and never kills.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromContainerMetadata } from '@aws-sdk/credential-providers';
import t, { type Test } from 'tap';
import { freeLoopbackPort } from '../support/free-port.js';
import { startImdsSimulator } from '../support/imds-simulator.js';
import {
  exitCode,
  runDaemon,
  startDaemonProcess,
  waitForCount,
  waitForLine,
} from './imds-cache-daemon-process.js';

async function setup(t: Test) {
  const sim = await startImdsSimulator();
  const dir = await mkdtemp(join(tmpdir(), 'imds-cache-life-'));
  t.teardown(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });
  const tokenFile = join(dir, 'token');
  const env = {
    IMDS_CACHE_IMDS_ENDPOINT: sim.url,
    IMDS_CACHE_LISTEN: `127.0.0.1:${await freeLoopbackPort()}`,
    IMDS_CACHE_OPS_LISTEN: `127.0.0.1:${await freeLoopbackPort()}`,
    IMDS_CACHE_TOKEN_FILE: tokenFile,
  };
  return { sim, dir, tokenFile, env };
}

async function status(url: string, token: string) {
  const response = await fetch(`${url}/v1/credentials`, { headers: { Authorization: token } });
  await response.arrayBuffer();
  return response.status;
}

/** Token file identity: a rewrite (even with equal content) changes the inode or the mtime. */
async function fileState(path: string) {
  const info = await stat(path);
  return { text: await readFile(path, 'utf8'), ino: info.ino, mtimeMs: info.mtimeMs };
}

t.test('a stray start on the same ports exits 2 and leaves the token alone', async (t) => {
  const { env, tokenFile } = await setup(t);
  const first = await startDaemonProcess(t, env);
  const before = await fileState(tokenFile);
  const stray = runDaemon(t, env);
  t.equal(await exitCode(stray), 2, 'exit code 2');
  t.match(stray.output(), /in use/, 'says the address is in use');
  t.same(await fileState(tokenFile), before, 'the token file was not touched');
  t.equal(await status(first.url, before.text), 200, 'the running daemon still accepts its token');
});

t.test('a stray start on other ports exits 2 on the lock, naming the holder', async (t) => {
  const { env, tokenFile } = await setup(t);
  const first = await startDaemonProcess(t, env);
  const before = await fileState(tokenFile);
  const stray = runDaemon(t, {
    ...env,
    IMDS_CACHE_LISTEN: '127.0.0.1:0',
    IMDS_CACHE_OPS_LISTEN: '127.0.0.1:0',
  });
  t.equal(await exitCode(stray), 2, 'exit code 2');
  t.match(stray.output(), new RegExp(`already running.*pid ${first.child.pid}`));
  t.same(await fileState(tokenFile), before, 'the token file was not touched');
  t.equal(await status(first.url, before.text), 200);
});

t.test(
  'a restart keeps the token: a client holding its value still gets credentials',
  async (t) => {
    const { env, sim } = await setup(t);
    const first = await startDaemonProcess(t, env);
    const token = await readFile(env.IMDS_CACHE_TOKEN_FILE, 'utf8');
    // fromContainerMetadata reads the token's value from the environment, once per call.
    const saved = { ...process.env };
    t.teardown(() => {
      process.env = saved;
    });
    process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `${first.url}/v1/credentials`;
    process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = token;
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
    const before = await fromContainerMetadata({ maxRetries: 0 })();
    t.equal(before.accessKeyId, sim.currentCredentials().AccessKeyId);
    first.child.kill('SIGTERM');
    t.equal(await first.exited, 0);
    const second = await startDaemonProcess(t, env);
    t.equal(second.url, first.url, 'same address');
    const after = await fromContainerMetadata({ maxRetries: 0 })();
    t.equal(after.accessKeyId, sim.currentCredentials().AccessKeyId, 'the same value still works');
    t.match(second.output(), /"msg":"token reused"/);
  },
);

t.test('a holder killed with SIGKILL leaves a lock the next start recovers', async (t) => {
  const { env, tokenFile } = await setup(t);
  const first = await startDaemonProcess(t, env);
  const token = await readFile(tokenFile, 'utf8');
  first.child.kill('SIGKILL');
  await first.exited;
  const second = await startDaemonProcess(t, env);
  t.equal(await status(second.url, token), 200, 'started, with the same token');
});

t.test('SIGHUP rotates the token and never terminates; the old one overlaps', async (t) => {
  const { env, tokenFile } = await setup(t);
  const daemon = await startDaemonProcess(t, env);
  const old = await readFile(tokenFile, 'utf8');
  daemon.child.kill('SIGHUP');
  await waitForLine(daemon, /"msg":"token rotated"/);
  const rotated = await readFile(tokenFile, 'utf8');
  t.not(rotated, old, 'a new token in the file');
  t.equal(await status(daemon.url, rotated), 200, 'the new token works');
  t.equal(await status(daemon.url, old), 200, 'the previous one too, during the overlap');
  daemon.child.kill('SIGHUP');
  await waitForCount(daemon, /"msg":"token rotated"/g, 2);
  t.equal(daemon.child.exitCode, null, 'still running after two SIGHUPs');
  t.equal(await status(daemon.url, old), 403, 'only one previous token is kept');
});

t.test('imds-cache rotate-token signals the running daemon', async (t) => {
  const { env, tokenFile } = await setup(t);
  const daemon = await startDaemonProcess(t, env);
  const old = await readFile(tokenFile, 'utf8');
  const command = runDaemon(t, { IMDS_CACHE_TOKEN_FILE: tokenFile }, ['rotate-token']);
  t.equal(await exitCode(command), 0, command.output());
  t.match(command.output(), new RegExp(`rotated.*pid ${daemon.child.pid}`));
  const rotated = await readFile(tokenFile, 'utf8');
  t.not(rotated, old);
  t.equal(await status(daemon.url, rotated), 200);
});

t.test('rotate-token with no daemon running exits 1 and writes nothing', async (t) => {
  const { tokenFile } = await setup(t);
  const command = runDaemon(t, { IMDS_CACHE_TOKEN_FILE: tokenFile }, ['rotate-token']);
  t.equal(await exitCode(command), 1);
  t.match(command.output(), /no imds-cache is running/);
  await t.rejects(stat(tokenFile), 'no token file');
});

t.test(
  'wait-ready PID: ready means this process answers /readyz with its token in place',
  async (t) => {
    const { env } = await setup(t);
    const daemon = await startDaemonProcess(t, env);
    const ready = runDaemon(t, env, ['wait-ready', String(daemon.child.pid)]);
    // A second Node process on a busy machine may take a while to start: allow it a minute.
    t.equal(await exitCode(ready, 60_000), 0, ready.output());
    t.match(ready.output(), new RegExp(`pid ${daemon.child.pid}\\) is ready`));
    const body = (await (await fetch(`${daemon.opsUrl}/readyz`)).json()) as { pid: number };
    t.equal(body.pid, daemon.child.pid);
  },
);
