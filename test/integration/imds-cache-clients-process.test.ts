// Client tokens in the built daemon process: SIGHUP rotates them as it rotates the main token, and
// a restart keeps them (clients holding the value keep working).
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import {
  API_GROUP,
  API_ROLE,
  type CredentialsAnswer,
  startUpstreams,
} from './imds-cache-clients-harness.js';
import {
  exitCode,
  runDaemon,
  startDaemonProcess,
  waitForCount,
} from './imds-cache-daemon-process.js';

t.test('SIGHUP rotates every client token; a restart keeps them', async (t) => {
  const upstreams = await startUpstreams(t);
  const { tokens } = upstreams.clients;
  // No overlap: the old value is refused at once, so the test sees the rotation take effect.
  const env = { ...upstreams.env, IMDS_CACHE_TOKEN_OVERLAP_MS: '0' };
  const daemon = await startDaemonProcess(t, env);
  const ask = async (url: string, token: string) => {
    const response = await fetch(`${url}/v1/credentials`, { headers: { Authorization: token } });
    return { status: response.status, body: (await response.json()) as CredentialsAnswer };
  };
  const oldApi = await readFile(tokens.api, 'utf8');
  const oldReports = await readFile(tokens.reports, 'utf8');
  const first = await ask(daemon.url, oldApi);
  t.equal(first.status, 200);

  daemon.child.kill('SIGHUP');
  // The main token and both clients' tokens.
  await waitForCount(daemon, /"msg":"token rotated"/g, 3);
  t.match(daemon.output(), /"client":"api".*"msg":"token rotated"/);
  const newApi = await readFile(tokens.api, 'utf8');
  t.not(newApi, oldApi, 'a new api token');
  t.not(await readFile(tokens.reports, 'utf8'), oldReports, 'a new reports token');
  const file = await stat(tokens.api);
  t.equal(file.mode & 0o777, 0o640);
  t.equal(file.gid, API_GROUP.gid, 'still owned by the client group after the rotation');
  const refused = await ask(daemon.url, oldApi);
  t.equal(refused.status, 403, 'the old api token is refused');
  const rotated = await ask(daemon.url, newApi);
  t.equal(rotated.status, 200);
  t.equal(rotated.body.AccessKeyId, first.body.AccessKeyId, 'same api session: no new AssumeRole');
  t.equal(upstreams.sts.assumeRoleCalls().filter((c) => c.roleArn === API_ROLE).length, 1);

  daemon.child.kill('SIGTERM');
  t.equal(await exitCode(daemon), 0);
  const again = await startDaemonProcess(t, env);
  t.equal(await readFile(tokens.api, 'utf8'), newApi, 'the intact token file is kept');
  const afterRestart = await ask(again.url, newApi);
  t.equal(afterRestart.status, 200, 'a process holding the value keeps working');
  t.match(again.output(), /"client":"api".*"msg":"client token reused"/);
  again.child.kill('SIGTERM');
  t.equal(await exitCode(again), 0);
});

t.test('a bad clients file: every problem listed, exit 2, no token file written', async (t) => {
  const upstreams = await startUpstreams(t);
  const file = join(upstreams.dir, 'bad-clients.json');
  const clients = [
    { name: 'API', tokenFile: 'relative.token', roleArn: 'arn:aws:iam::1:role/x' },
    { name: 'reports', tokenFile: join(upstreams.dir, 'r.token'), roleArn: API_ROLE, extra: 1 },
  ];
  await writeFile(file, JSON.stringify({ clients }));
  const daemon = runDaemon(t, { ...upstreams.env, IMDS_CACHE_CLIENTS_FILE: file });
  t.equal(await exitCode(daemon), 2);
  const output = daemon.output();
  for (const problem of [
    /clients\[0\]\.name: expected 1-32/,
    /clients\[0\]\.tokenFile: expected an absolute path/,
    /clients\[0\]\.roleArn: expected an IAM role ARN/,
    /clients\[1\]: Unrecognized key: "extra"/,
  ]) {
    t.match(output, problem);
  }
  await t.rejects(stat(upstreams.env.IMDS_CACHE_TOKEN_FILE), { code: 'ENOENT' });
});
