// The built daemon as a process: `node packages/imds-cache/dist/main.js`. Clean shutdown on
// SIGTERM with a request in flight, exit 2 on bad configuration, and no secret in its logs.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromHttp } from '@aws-sdk/credential-providers';
import t, { type Test } from 'tap';
import { type ImdsSimulator, startImdsSimulator } from '../support/imds-simulator.js';

const MAIN = fileURLToPath(new URL('../../packages/imds-cache/dist/main.js', import.meta.url));

interface Daemon {
  child: ChildProcess;
  url: string;
  opsUrl: string;
  tokenFile: string;
  output: () => string;
  exited: Promise<number | null>;
}

function baseEnv(): NodeJS.ProcessEnv {
  // Without tap's coverage hooks and without anything AWS from the outer environment.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) =>
        !key.startsWith('AWS_') && !key.startsWith('IMDS_CACHE_') && !key.startsWith('NODE_'),
    ),
  );
  return { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
}

function run(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => resolve(code)),
  );
  return { child, output: () => output, exited };
}

async function startDaemon(t: Test, sim: ImdsSimulator, extra: Record<string, string> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'imds-cache-proc-'));
  const tokenFile = join(dir, 'token');
  const { child, output, exited } = run({
    ...baseEnv(),
    IMDS_CACHE_IMDS_ENDPOINT: sim.url,
    IMDS_CACHE_LISTEN: '127.0.0.1:0',
    IMDS_CACHE_OPS_LISTEN: '127.0.0.1:0',
    IMDS_CACHE_TOKEN_FILE: tokenFile,
    ...extra,
  });
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    await rm(dir, { recursive: true, force: true });
  });
  const listening = await new Promise<{ url: string; opsUrl: string }>((resolve, reject) => {
    const onData = () => {
      for (const line of output().split('\n')) {
        if (!line.includes('"listening"')) continue;
        child.stdout?.off('data', onData);
        resolve(JSON.parse(line));
        return;
      }
    };
    child.stdout?.on('data', onData);
    void exited.then((code) => reject(new Error(`daemon exited (${code}):\n${output()}`)));
  });
  return { child, tokenFile, output, exited, ...listening } satisfies Daemon;
}

t.before(() => {
  if (!existsSync(MAIN)) throw new Error(`build first: npx tsc -b packages/imds-cache (${MAIN})`);
});

t.test('SIGTERM: stops accepting, finishes the request in flight, exits 0', async (t) => {
  const sim = await startImdsSimulator();
  t.teardown(() => sim.close());
  // The warm-up's credentials fetch takes a moment: a caller arriving meanwhile is in flight.
  sim.setFault({ kind: 'slow', delayMs: 1_500, paths: 'credentials', count: 1 });
  const daemon = await startDaemon(t, sim, { IMDS_CACHE_IMDS_TIMEOUT_MS: '10000' });
  const token = await readFile(daemon.tokenFile, 'utf8');
  const inFlight = fetch(`${daemon.url}/v1/credentials`, { headers: { Authorization: token } });
  // Wait until the daemon has the request (its miss counter says so), then signal.
  let arrived = false;
  for (let attempt = 0; attempt < 5_000 && !arrived; attempt++) {
    const metrics = await (await fetch(`${daemon.opsUrl}/metrics`)).text();
    arrived = /imds_cache_cache_lookups_total\{result="miss"\} 1/.test(metrics);
  }
  t.ok(arrived, 'the request reached the daemon before the signal');
  daemon.child.kill('SIGTERM');
  const response = await inFlight;
  t.equal(response.status, 200, 'the in-flight request was answered');
  t.equal(
    ((await response.json()) as { AccessKeyId: string }).AccessKeyId,
    sim.currentCredentials().AccessKeyId,
  );
  t.equal(await daemon.exited, 0, 'exit code 0');
  t.match(daemon.output(), /"msg":"stopped"/);
  await t.rejects(fetch(`${daemon.url}/v1/credentials`), 'no longer accepting');
});

t.test('SIGINT also exits 0', async (t) => {
  const sim = await startImdsSimulator();
  t.teardown(() => sim.close());
  const daemon = await startDaemon(t, sim);
  daemon.child.kill('SIGINT');
  t.equal(await daemon.exited, 0);
});

t.test('bad configuration: exit 2, every bad key listed, nothing started', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'imds-cache-proc-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const { output, exited } = run({
    ...baseEnv(),
    IMDS_CACHE_LISTEN: '192.0.2.10:9911',
    IMDS_CACHE_TTL_MS: 'two minutes',
    IMDS_CACHE_IMDS_FACADE: 'sometimes',
    IMDS_CACHE_IMDS_ENDPOINT: 'ftp://169.254.169.254',
    IMDS_CACHE_TOKEN_FILE: join(dir, 'token'),
  });
  t.equal(await exited, 2);
  const text = output();
  for (const key of [
    'IMDS_CACHE_LISTEN',
    'IMDS_CACHE_TTL_MS',
    'IMDS_CACHE_IMDS_FACADE',
    'IMDS_CACHE_IMDS_ENDPOINT',
  ]) {
    t.match(text, new RegExp(`- ${key}: got `), `${key} is named`);
  }
  t.match(text, /invalid configuration/);
  t.notOk(existsSync(join(dir, 'token')), 'no token file written');
});

t.test('no secret in the logs of a full run at trace level', async (t) => {
  const sim = await startImdsSimulator();
  t.teardown(() => sim.close());
  const daemon = await startDaemon(t, sim, {
    IMDS_CACHE_LOG_LEVEL: 'trace',
    IMDS_CACHE_IMDS_FACADE: 'on',
    IMDS_CACHE_FACADE_USERS: String(process.getuid?.()),
  });
  const token = await readFile(daemon.tokenFile, 'utf8');
  // Good requests, refused ones (wrong token, token in odd places), the SDK, the facade.
  const sdk = await fromHttp({
    awsContainerCredentialsFullUri: `${daemon.url}/v1/credentials`,
    awsContainerAuthorizationTokenFile: daemon.tokenFile,
  })();
  await fetch(`${daemon.url}/v1/credentials`, { headers: { Authorization: `${token}-wrong` } });
  await fetch(`${daemon.url}/v1/credentials?token=${token}`, { headers: { Authorization: 'x' } });
  await fetch(`${daemon.url}/v1/instance`, { headers: { Authorization: token } });
  const tokenPut = await fetch(`${daemon.url}/latest/api/token`, {
    method: 'PUT',
    headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '60' },
  });
  t.equal(tokenPut.status, 200, 'the facade hands out a session token');
  const facadeToken = await tokenPut.text();
  const facade = await fetch(
    `${daemon.url}/latest/meta-data/iam/security-credentials/empdir-app-role`,
    { headers: { 'X-aws-ec2-metadata-token': facadeToken } },
  );
  t.equal(facade.status, 200, 'the facade serves the role credentials');
  const facadeDoc = await facade.json();
  daemon.child.kill('SIGTERM');
  t.equal(await daemon.exited, 0);
  const logs = daemon.output();
  t.match(logs, /"msg":"credentials refreshed"/, 'the log has content');
  t.match(logs, /"status":403/, 'refusals are logged');
  const creds = sim.currentCredentials();
  t.equal(sdk.secretAccessKey, creds.SecretAccessKey, 'the run did serve these secrets');
  t.match(
    facadeDoc,
    {
      Code: 'Success',
      Type: 'AWS-HMAC',
      AccessKeyId: creds.AccessKeyId,
      SecretAccessKey: creds.SecretAccessKey,
      Token: creds.Token,
      Expiration: creds.Expiration,
    },
    'the facade answered with the same credentials, in the IMDS format',
  );
  for (const [name, secret] of [
    ['SecretAccessKey', creds.SecretAccessKey],
    ['session Token', creds.Token],
    ['token file content', token],
    ['facade session token', facadeToken],
  ] as const) {
    t.notOk(logs.includes(secret), `${name} not in the logs`);
  }
  const sessionTokens = sim.issuedSessionTokens();
  t.ok(sessionTokens.length > 0, 'the daemon did hold IMDS session tokens');
  for (const sessionToken of sessionTokens) {
    t.notOk(logs.includes(sessionToken), 'IMDS session token not in the logs');
  }
});
