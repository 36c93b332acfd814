// startServer and main.js as operators run them: listening on loopback, graceful shutdown that
// finishes in-flight requests, exit code 2 on bad configuration, SIGTERM handling.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { loadConfig, startServer } from '../../packages/api/src/index.js';
import { localAwsCredentials } from '../support/local-aws.js';
import { clientCredentialsToken, startOidcProvider } from '../support/oidc-provider.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const MAIN = join(import.meta.dirname, '..', '..', 'packages', 'api', 'dist', 'main.js');

/**
 * A DynamoDB endpoint that holds every request until the test releases it, then answers at once
 * (a create sends more than one request: the search hints, then the item).
 */
async function heldDynamoDb() {
  const held: ServerResponse[] = [];
  let arrived: (() => void) | undefined;
  let released = false;
  const answer = (res: ServerResponse) =>
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}');
  const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
    if (released) return answer(res);
    held.push(res);
    arrived?.();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    nextRequest: () => new Promise<void>((resolve) => (arrived = resolve)),
    releaseAll() {
      released = true;
      for (const res of held.splice(0)) answer(res);
    },
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

const oidc = await startOidcProvider();
t.teardown(() => oidc.stop());
const [machine] = oidc.clients;
const token = machine ? await clientCredentialsToken(oidc.issuer, machine) : '';

const env = (endpoint: string, extra: Record<string, string> = {}) => ({
  TABLE_NAME: 'Employees',
  PHOTOS_BUCKET: 'employee-photos',
  AWS_REGION: 'us-east-1',
  DYNAMODB_ENDPOINT: endpoint,
  S3_ENDPOINT: 'http://127.0.0.1:9',
  PORT: '0',
  LOG_LEVEL: 'silent',
  SESSION_SECRET: 's'.repeat(40),
  OIDC_ISSUER: oidc.issuer,
  OIDC_CLIENT_ID: oidc.clientId,
  ...extra,
});

const createBody = JSON.stringify({ fullName: 'In Flight', location: 'L', jobTitle: 'J' });

t.test('close() lets an in-flight request finish, then refuses new ones', async (t) => {
  const ddb = await heldDynamoDb();
  t.teardown(() => ddb.close());
  const server = await startServer(loadConfig(env(ddb.endpoint)), {
    credentials: localAwsCredentials(),
  });
  t.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const arrived = ddb.nextRequest();
  const inFlight = fetch(`${server.url}/api/employees`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: createBody,
  });
  await arrived;
  const closing = server.close();
  ddb.releaseAll();
  const res = await inFlight;
  t.equal(res.status, 201, 'finished during shutdown');
  await closing;
  await t.rejects(fetch(`${server.url}/healthz`), 'no longer listening');
});

t.test('close() gives up on stuck requests after SHUTDOWN_GRACE_MS', async (t) => {
  const ddb = await heldDynamoDb();
  t.teardown(() => ddb.close());
  const server = await startServer(loadConfig(env(ddb.endpoint, { SHUTDOWN_GRACE_MS: '50' })), {
    credentials: localAwsCredentials(),
  });
  const arrived = ddb.nextRequest();
  const stuck = fetch(`${server.url}/api/employees`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: createBody,
  }).catch((error: unknown) => error);
  await arrived;
  await server.close();
  t.type(await stuck, Error, 'the stuck connection was closed');
});

t.test('main.js: a bad environment stops start-up with exit 2, naming every bad key', async (t) => {
  t.ok(existsSync(MAIN), `${MAIN} exists (run: npx tsc -b packages/api)`);
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH, PORT: 'eighty', LOG_LEVEL: 'loud' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const code = await new Promise((resolve) => child.once('close', resolve));
  t.equal(code, 2);
  for (const key of [
    'TABLE_NAME',
    'PHOTOS_BUCKET',
    'AWS_REGION',
    'PORT',
    'LOG_LEVEL',
    'OIDC_ISSUER',
    'OIDC_CLIENT_ID',
  ]) {
    t.match(stderr, `${key}:`, key);
  }
});

t.test('main.js: serves on loopback, drains and exits 0 on SIGTERM', async (t) => {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH, ...env('http://127.0.0.1:9', { LOG_LEVEL: 'info' }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
      const found = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out)?.[1];
      if (found) resolve(found);
    });
    child.once('close', (code) => reject(new Error(`exited early with ${code}: ${out}`)));
  });
  t.same(await (await fetch(`${url}/healthz`)).json(), { status: 'ok' });
  const closed = new Promise((resolve) => child.once('close', resolve));
  child.kill('SIGTERM');
  t.equal(await closed, 0);
});
