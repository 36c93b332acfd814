import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { fromInstanceMetadata } from '@aws-sdk/credential-providers';
import t from 'tap';
import { startChild } from '../support/child-process.js';
import { imdsHttp } from '../support/imds-http.js';
import { startImdsSimulator } from '../support/imds-simulator.js';
import { parseImdsSimulatorArgs } from '../support/imds-simulator-cli.js';

const SIMULATOR = fileURLToPath(new URL('../support/imds-simulator.js', import.meta.url));
const ROLE_PATH = '/latest/meta-data/iam/security-credentials/';

t.test('the real SDK resolves credentials from the simulator, retrying one 500', async (t) => {
  const sim = await startImdsSimulator();
  t.teardown(() => sim.close());
  // The SDK takes the IMDS endpoint only from the environment or the shared config file.
  const previous = process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
  process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = sim.url;
  t.teardown(() => {
    if (previous === undefined) delete process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
    else process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = previous;
  });
  sim.setFault({ kind: 'status', status: 500, paths: 'credentials', count: 1 });
  const provider = fromInstanceMetadata({
    ec2MetadataV1Disabled: true,
    maxRetries: 1,
    timeout: 2_000,
  });
  const credentials = await provider();
  const served = sim.currentCredentials();
  t.equal(credentials.accessKeyId, served.AccessKeyId);
  t.equal(credentials.secretAccessKey, served.SecretAccessKey);
  t.equal(credentials.sessionToken, served.Token);
  t.equal(credentials.expiration?.toISOString().replace('.000Z', 'Z'), served.Expiration);
  const counters = sim.counters();
  t.equal(counters.byPath['/latest/api/token'], 1, 'one IMDSv2 token');
  t.equal(counters.byPath[`${ROLE_PATH}empdir-app-role`], 2, 'the 500 and the retry');
  t.equal(counters.byStatus['500'], 1);
});

t.test('process mode: CLI flags, control endpoints, clean exit', async (t) => {
  const child = await startChild({
    name: 'imds-simulator',
    command: process.execPath,
    args: [
      SIMULATOR,
      '--port',
      '0',
      '--rate',
      '1000',
      '--burst',
      '1000',
      '--role-name',
      'cli-role',
    ],
  });
  t.teardown(() => child.stop());
  const { url } = child.value;
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const { token, get, putToken } = imdsHttp(url);
  const control = async (action: string, body?: unknown) => {
    const response = await fetch(`${url}/__simulator/${action}`, {
      method: body === undefined ? 'GET' : 'POST',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: await response.json() };
  };

  const tok = await token();
  t.equal(await (await get(ROLE_PATH, tok)).text(), 'cli-role');
  t.same(
    (await control('counters')).body.byPath,
    { '/latest/api/token': 1, [ROLE_PATH]: 1 },
    'control calls not counted',
  );

  t.equal((await control('fault', { kind: 'status', status: 503, count: 1 })).status, 200);
  t.equal((await get(ROLE_PATH, tok)).status, 503);
  t.equal((await get(ROLE_PATH, tok)).status, 200);

  t.equal((await control('fault', { kind: 'expired-document', count: 1 })).status, 200);
  const expired = await (await get(`${ROLE_PATH}cli-role`, tok)).json();
  t.ok(Date.parse(expired.Expiration) < Date.now(), 'the new faults work through control too');

  const before = await (await get(`${ROLE_PATH}cli-role`, tok)).json();
  await control('rotate', {});
  const after = await (await get(`${ROLE_PATH}cli-role`, tok)).json();
  t.not(after.SecretAccessKey, before.SecretAccessKey, 'rotated');

  await control('role', { name: 'next-role' });
  t.equal(await (await get(ROLE_PATH, tok)).text(), 'next-role');
  t.equal((await get(`${ROLE_PATH}cli-role`, tok)).status, 404);

  await control('rate-limit', { ratePerSecond: 0.001, burst: 1 });
  t.equal((await putToken('60')).status, 200);
  t.equal((await putToken('60')).status, 429, 'the new bucket is drained');
  await control('rate-limit', {});
  t.equal((await putToken('60')).status, 200, 'limit lifted');

  await control('reset-counters', {});
  t.same((await control('counters')).body, { total: 0, byPath: {}, byStatus: {} });

  t.equal((await control('fault', { kind: 'melt' })).status, 400);
  t.equal((await control('role', {})).status, 400);
  t.equal((await control('nothing-here', {})).status, 404);
  t.equal((await control('rotate')).status, 405);

  await child.stop();
  t.same(await child.exited, { code: 0, signal: null }, 'SIGTERM ends it cleanly');
});

t.test('process mode: the simulator exits on its own when its stdin closes', async (t) => {
  // Spawned directly, without startChild's guard, to prove the simulator's own lifeline.
  // With a fault from the command line: IMDS's clock 10 min ahead.
  const child = spawn(process.execPath, [SIMULATOR, '--fault', 'skewed-date'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  t.teardown(() => child.kill('SIGKILL'));
  const exited = once(child, 'exit');
  const [firstLine] = await once(createInterface({ input: child.stdout }), 'line');
  const { url } = JSON.parse(firstLine);
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const date = (await imdsHttp(url).putToken('60')).headers.get('date');
  t.ok(Math.abs(Date.parse(date ?? '') - Date.now() - 600_000) < 5_000, `Date ${date}`);
  child.stdin.end();
  t.same(await exited, [0, null], 'exit code 0, no signal needed');
});

t.test('process mode: bad flags are reported before it listens', async (t) => {
  await t.rejects(
    startChild({
      name: 'imds-simulator',
      command: process.execPath,
      args: [SIMULATOR, '--port', 'x', '--burst', '0'],
    }),
    /exited before it was ready[\s\S]*--port must be 0-65535[\s\S]*--burst must be/,
  );
  t.same(parseImdsSimulatorArgs(['--rate', '0']).rateLimit, undefined, 'rate 0 means no limit');
  t.same(parseImdsSimulatorArgs(['--rate', '5']).rateLimit, { ratePerSecond: 5, burst: 5 });
  t.equal(parseImdsSimulatorArgs(['--access-key-id', 'S3RVER']).accessKeyId, 'S3RVER');
  t.throws(() => parseImdsSimulatorArgs(['--rate', '']), /--rate must be/);
  t.throws(
    () => parseImdsSimulatorArgs(['--credential-lifetime-ms', '-5']),
    /--credential-lifetime-ms/,
  );
  t.same(parseImdsSimulatorArgs(['--fault', 'expired-document']).fault, {
    kind: 'expired-document',
  });
  t.same(parseImdsSimulatorArgs(['--fault', 'skewed-date']).fault, {
    kind: 'skewed-date',
    skewMs: 600_000,
  });
  t.same(parseImdsSimulatorArgs(['--fault', '{"kind":"slow-token","delayMs":5000}']).fault, {
    kind: 'slow-token',
    delayMs: 5000,
  });
  t.throws(() => parseImdsSimulatorArgs(['--fault', 'sideways']), /--fault: .*kind must be/);
});
