import { createHash, createHmac, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  STSClient,
  type STSClientConfig,
} from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import t from 'tap';
import { startChild } from '../support/child-process.js';
import { startStsSimulator } from '../support/sts-simulator.js';
import { parseStsSimulatorArgs } from '../support/sts-simulator-cli.js';

const SIMULATOR = fileURLToPath(new URL('../support/sts-simulator.js', import.meta.url));
const ACCOUNT = '123456789012';
const INSTANCE_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/empdir-app-role/i-0123456789abcdef0`;
const API_ROLE = `arn:aws:iam::${ACCOUNT}:role/empdir-prod-api`;

// Built at run time: nothing key-shaped is committed.
const instanceKey = () => ({
  accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
  secretAccessKey: randomBytes(30).toString('base64'),
  sessionToken: randomBytes(64).toString('base64'),
  arn: INSTANCE_ARN,
});

type Key = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const client = (url: string, credentials: Key, extra: Partial<STSClientConfig> = {}) =>
  new STSClient({ endpoint: url, region: 'eu-west-1', credentials, maxAttempts: 1, ...extra });

const failure = async (promise: Promise<unknown>) => {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return { name: error?.name, message: error?.message, status: error?.$metadata?.httpStatusCode };
};

t.test('AssumeRole with tags, policy and source identity is recorded and chains', async (t) => {
  const sim = await startStsSimulator({ roles: [API_ROLE] });
  t.teardown(() => sim.close());
  const key = instanceKey();
  sim.trust(key);
  const sts = client(sim.url, key);
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
  });
  const out = await sts.send(
    new AssumeRoleCommand({
      RoleArn: API_ROLE,
      RoleSessionName: 'i-0123456789abcdef0-api',
      SourceIdentity: 'empdir',
      Tags: [{ Key: 'client', Value: 'api' }],
      Policy: policy,
      DurationSeconds: 3600,
    }),
  );
  t.equal(
    out.AssumedRoleUser?.Arn,
    `arn:aws:sts::${ACCOUNT}:assumed-role/empdir-prod-api/i-0123456789abcdef0-api`,
  );
  t.match(out.AssumedRoleUser?.AssumedRoleId, /^AROA[0-9A-F]{17}:i-0123456789abcdef0-api$/);
  t.equal(out.SourceIdentity, 'empdir');
  t.ok((out.PackedPolicySize ?? 0) > 0, 'a packed size is reported for policy and tags');
  t.match(out.Credentials?.AccessKeyId, /^ASIA[0-9A-F]{16}$/);
  const lifetimeMs = (out.Credentials?.Expiration?.getTime() ?? 0) - Date.now();
  t.ok(lifetimeMs > 3_590_000 && lifetimeMs <= 3_600_000, 'one hour from now');

  const [call] = sim.assumeRoleCalls();
  t.match(call, {
    callerArn: INSTANCE_ARN,
    roleArn: API_ROLE,
    roleSessionName: 'i-0123456789abcdef0-api',
    sourceIdentity: 'empdir',
    tags: { client: 'api' },
    policy,
    durationSeconds: 3600,
    chained: true,
    outcome: 'ok',
  });
  t.same(sim.counters().byAction, { AssumeRole: 1 });

  // The issued credentials are known to the stand-in: the caller is now the assumed role.
  const issued = out.Credentials!;
  const chained = client(sim.url, {
    accessKeyId: issued.AccessKeyId!,
    secretAccessKey: issued.SecretAccessKey!,
    sessionToken: issued.SessionToken!,
  });
  const identity = await chained.send(new GetCallerIdentityCommand({}));
  t.equal(identity.Arn, out.AssumedRoleUser?.Arn);
  t.equal(identity.Account, ACCOUNT);
  t.equal(identity.UserId, out.AssumedRoleUser?.AssumedRoleId);
  // A session carrying a source identity cannot change it further down the chain.
  const changed = await failure(
    chained.send(
      new AssumeRoleCommand({
        RoleArn: API_ROLE,
        RoleSessionName: 'next',
        SourceIdentity: 'other',
      }),
    ),
  );
  t.same(changed, { ...changed, name: 'AccessDenied', status: 403 });
});

t.test('a wrong secret, an unknown key or a wrong session token is refused', async (t) => {
  const sim = await startStsSimulator();
  t.teardown(() => sim.close());
  const key = instanceKey();
  sim.trust(key);
  const wrongSecret = { ...key, secretAccessKey: randomBytes(30).toString('base64') };
  t.match(await failure(client(sim.url, wrongSecret).send(new GetCallerIdentityCommand({}))), {
    name: 'SignatureDoesNotMatch',
    status: 403,
  });
  const unknown = { ...instanceKey(), arn: undefined };
  t.match(await failure(client(sim.url, unknown).send(new GetCallerIdentityCommand({}))), {
    name: 'InvalidClientTokenId',
    status: 403,
  });
  const wrongToken = { ...key, sessionToken: 'not-the-token' };
  t.match(await failure(client(sim.url, wrongToken).send(new GetCallerIdentityCommand({}))), {
    name: 'InvalidClientTokenId',
    status: 403,
  });
  t.same(sim.counters().byCode, { SignatureDoesNotMatch: 1, InvalidClientTokenId: 2 });
  t.same(sim.assumeRoleCalls(), [], 'refused calls are never recorded');
  const identity = await client(sim.url, key).send(new GetCallerIdentityCommand({}));
  t.equal(identity.Arn, INSTANCE_ARN, 'the right secret passes');
  // Each checked request is recorded with the key id and token exactly as sent, and its verdict.
  const seen = (id: string, token: string | undefined, valid: boolean, outcome: string) => ({
    action: 'GetCallerIdentity',
    accessKeyId: id,
    sessionToken: token,
    signatureValid: valid,
    outcome,
  });
  t.has(
    sim.requests(),
    [
      seen(key.accessKeyId, key.sessionToken, false, 'SignatureDoesNotMatch'),
      seen(unknown.accessKeyId, unknown.sessionToken, false, 'InvalidClientTokenId'),
      seen(key.accessKeyId, 'not-the-token', false, 'InvalidClientTokenId'),
      { ...seen(key.accessKeyId, key.sessionToken, true, 'ok'), callerArn: INSTANCE_ARN },
    ],
    'each checked request is recorded as sent, with its verdict',
  );
  t.equal(sim.requests().length, 4);
  t.ok(
    sim.requests().every((r) => r.signedHeaders.includes('x-amz-security-token')),
    'the signed header list is recorded',
  );
  t.equal(sim.requests()[0]?.callerArn, undefined, 'no caller for a refused signature');
});

t.test('a body changed after signing fails; the error is STS XML', async (t) => {
  const sim = await startStsSimulator();
  t.teardown(() => sim.close());
  const key = instanceKey();
  sim.trust(key);
  const url = new URL(sim.url);
  const body = 'Action=GetCallerIdentity&Version=2011-06-15';
  const signer = new SignatureV4({
    service: 'sts',
    region: 'us-east-1',
    credentials: key,
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    query: {},
    headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  const send = (text: string) =>
    fetch(sim.url, {
      method: 'POST',
      headers: signed.headers as Record<string, string>,
      body: text,
    });
  const good = await send(body);
  t.equal(good.status, 200);
  t.match(
    await good.text(),
    /<GetCallerIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">/,
  );
  const tampered = await send(`${body}&Extra=1`);
  t.equal(tampered.status, 403);
  t.match(
    await tampered.text(),
    /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">\s*<Error>\s*<Type>Sender<\/Type>\s*<Code>SignatureDoesNotMatch<\/Code>\s*<Message>[^<]+<\/Message>\s*<\/Error>\s*<RequestId>[0-9a-f-]{36}<\/RequestId>\s*<\/ErrorResponse>/,
  );
  const unsigned = await fetch(sim.url, { method: 'POST', body });
  t.equal(unsigned.status, 403);
  t.match(await unsigned.text(), /<Code>MissingAuthenticationToken<\/Code>/);
});

t.test('role chaining is limited to one hour; a user may ask for more', async (t) => {
  const sim = await startStsSimulator();
  t.teardown(() => sim.close());
  const key = instanceKey();
  sim.trust(key);
  const chained = await failure(
    client(sim.url, key).send(
      new AssumeRoleCommand({ RoleArn: API_ROLE, RoleSessionName: 'long', DurationSeconds: 3601 }),
    ),
  );
  t.match(chained, { name: 'ValidationError', status: 400, message: /1 hour session limit/ });
  const user = sim.createUser(`arn:aws:iam::${ACCOUNT}:user/deployer`);
  const out = await client(sim.url, user).send(
    new AssumeRoleCommand({ RoleArn: API_ROLE, RoleSessionName: 'long', DurationSeconds: 7200 }),
  );
  t.ok(out.Credentials, 'not chained: 2 hours allowed');
  t.same(
    sim.assumeRoleCalls().map((c) => [c.chained, c.outcome]),
    [
      [true, 'ValidationError'],
      [false, 'ok'],
    ],
  );
  const invalid = await failure(
    client(sim.url, key).send(
      new AssumeRoleCommand({
        RoleArn: API_ROLE,
        RoleSessionName: 'bad name!',
        DurationSeconds: 60,
      }),
    ),
  );
  t.match(invalid, { name: 'ValidationError', message: /^2 validation errors detected/ });
});

t.test('issued credentials expire on the stand-in clock', async (t) => {
  let nowMs = Date.now();
  const sim = await startStsSimulator({ now: () => nowMs });
  t.teardown(() => sim.close());
  const key = instanceKey();
  sim.trust(key);
  const out = await client(sim.url, key).send(
    new AssumeRoleCommand({ RoleArn: API_ROLE, RoleSessionName: 'short', DurationSeconds: 900 }),
  );
  const issued = {
    accessKeyId: out.Credentials!.AccessKeyId!,
    secretAccessKey: out.Credentials!.SecretAccessKey!,
    sessionToken: out.Credentials!.SessionToken!,
  };
  nowMs += 901_000;
  t.match(await failure(client(sim.url, issued).send(new GetCallerIdentityCommand({}))), {
    name: 'ExpiredToken',
    status: 403,
  });
});

t.test('faults: throttling, access denied, unavailable, down', async (t) => {
  const sim = await startStsSimulator({ roles: [API_ROLE] });
  t.teardown(() => sim.close());
  const key = instanceKey();
  sim.trust(key);
  const assume = (sts: STSClient) =>
    sts.send(new AssumeRoleCommand({ RoleArn: API_ROLE, RoleSessionName: 'fault' }));
  sim.setFault({ kind: 'throttling', action: 'AssumeRole', count: 1 });
  t.match(await failure(assume(client(sim.url, key))), { name: 'Throttling', status: 400 });
  t.ok(await assume(client(sim.url, key)), 'count 1: the next call succeeds');

  sim.setFault({ kind: 'throttling', count: 1 });
  const retrying = client(sim.url, key, { maxAttempts: 3 });
  t.ok(await assume(retrying), 'the SDK retries a throttled call');
  sim.setFault({ kind: 'access-denied', action: 'AssumeRole' });
  t.match(await failure(assume(client(sim.url, key))), {
    name: 'AccessDenied',
    status: 403,
    message: `User: ${INSTANCE_ARN} is not authorized to perform: sts:AssumeRole on resource: ${API_ROLE}`,
  });
  t.ok(await client(sim.url, key).send(new GetCallerIdentityCommand({})), 'scoped to AssumeRole');
  sim.setFault({ kind: 'unavailable', count: 1 });
  t.match(await failure(assume(client(sim.url, key))), { name: 'ServiceUnavailable', status: 503 });
  sim.setFault({ kind: 'down', count: 1 });
  const down = await failure(assume(client(sim.url, key)));
  t.equal(down.status, undefined, 'no HTTP answer at all');
  sim.setFault({ kind: 'none' });
  const otherRole = `arn:aws:iam::${ACCOUNT}:role/not-trusted`;
  t.match(
    await failure(
      client(sim.url, key).send(
        new AssumeRoleCommand({ RoleArn: otherRole, RoleSessionName: 'x1' }),
      ),
    ),
    { name: 'AccessDenied', status: 403 },
    'a role outside the list is denied',
  );
  t.same(sim.counters().byCode, {
    Throttling: 2,
    AccessDenied: 2,
    ServiceUnavailable: 1,
  });
  t.equal(sim.counters().byAction.AssumeRole, 8);
});

t.test('process mode: flags, control endpoints, faults from outside', async (t) => {
  const bad = [
    '--port',
    'x',
    '--role',
    'nope',
    '--fault',
    'boom',
    '--trust-imds',
    'http://10.0.0.1',
  ];
  t.throws(() => parseStsSimulatorArgs(bad), {
    message:
      /--port must be 0-65535[\s\S]*--role must be an IAM role ARN[\s\S]*--fault: invalid fault[\s\S]*--trust-imds must be/,
  });
  t.type(
    parseStsSimulatorArgs(['--trust-imds', 'http://127.0.0.1:4598']).trustedSource,
    'function',
  );
  const child = await startChild({
    name: 'sts-simulator',
    command: process.execPath,
    args: [SIMULATOR, '--port', '0', '--role', API_ROLE, '--fault', 'throttling'],
  });
  t.teardown(() => child.stop());
  const { url } = child.value;
  const control = async (action: string, body?: unknown) => {
    const response = await fetch(`${url}/__simulator/${action}`, {
      method: body === undefined ? 'GET' : 'POST',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: await response.json() };
  };
  const key = instanceKey();
  t.match((await control('trust', key)).body, { arn: INSTANCE_ARN });
  const assume = () =>
    client(url, key).send(new AssumeRoleCommand({ RoleArn: API_ROLE, RoleSessionName: 'cli' }));
  t.match(await failure(assume()), { name: 'Throttling' }, '--fault applies from the start');
  t.equal((await control('fault', { kind: 'none' })).status, 200);
  t.ok(await assume());
  t.equal((await control('fault', { kind: 'sideways' })).status, 400);
  t.match((await control('counters')).body, {
    byAction: { AssumeRole: 2 },
    byCode: { Throttling: 1 },
  });
  t.match((await control('calls')).body, [{ outcome: 'Throttling' }, { outcome: 'ok' }]);
  t.has((await control('requests')).body, [
    { action: 'AssumeRole', accessKeyId: key.accessKeyId, outcome: 'Throttling' },
    { action: 'AssumeRole', accessKeyId: key.accessKeyId, signatureValid: true, outcome: 'ok' },
  ]);
  const user = (await control('user', { arn: `arn:aws:iam::${ACCOUNT}:user/ops` })).body;
  const asUser = await client(url, user).send(new GetCallerIdentityCommand({}));
  t.equal(asUser.Arn, `arn:aws:iam::${ACCOUNT}:user/ops`, 'a user key made over the control API');
  t.equal((await control('trust', { arn: INSTANCE_ARN })).status, 400, 'trust needs a key');
  t.equal((await control('nope')).status, 404);
  t.equal((await control('counters', {})).status, 405);
  t.equal((await control('reset-counters', {})).status, 200);
  t.same((await control('calls')).body, []);
  t.same((await control('requests')).body, []);
});

// node:crypto behind the hash interface the signer expects.
class Sha256 {
  readonly #hash;
  constructor(secret?: string | ArrayBufferView | ArrayBuffer) {
    const key = secret === undefined ? undefined : toBuffer(secret);
    this.#hash = key ? createHmac('sha256', key) : createHash('sha256');
  }
  update(data: string | ArrayBufferView | ArrayBuffer) {
    this.#hash.update(toBuffer(data));
  }
  async digest() {
    return new Uint8Array(this.#hash.digest());
  }
  reset() {}
}

function toBuffer(data: string | ArrayBufferView | ArrayBuffer): Buffer {
  if (typeof data === 'string') return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

t.test(
  "issueKeyIds: a role's sessions get that key id; AssumeRole is still SigV4-checked",
  async (t) => {
    const REPORTS_ROLE = `arn:aws:iam::${ACCOUNT}:role/empdir-prod-reports`;
    const sim = await startStsSimulator({
      roles: [API_ROLE, REPORTS_ROLE],
      issueKeyIds: { [API_ROLE]: 'S3RVER' },
    });
    t.teardown(() => sim.close());
    const key = instanceKey();
    sim.trust(key);
    const assume = (credentials: Key, RoleArn: string) =>
      client(sim.url, credentials).send(
        new AssumeRoleCommand({ RoleArn, RoleSessionName: 'i-0123456789abcdef0-x' }),
      );
    const api = await assume(key, API_ROLE);
    t.equal(api.Credentials?.AccessKeyId, 'S3RVER');
    const reports = await assume(key, REPORTS_ROLE);
    t.not(reports.Credentials?.AccessKeyId, 'S3RVER', 'roles not listed keep random key ids');
    const forged = await failure(assume({ ...key, secretAccessKey: 'not-the-secret' }, API_ROLE));
    t.equal(forged.name, 'SignatureDoesNotMatch');
    t.same(parseStsSimulatorArgs(['--issue-key-id', `${API_ROLE}=S3RVER`]).issueKeyIds, {
      [API_ROLE]: 'S3RVER',
    });
    t.throws(() => parseStsSimulatorArgs(['--issue-key-id', 'S3RVER']), {
      message: /--issue-key-id must be ROLE_ARN=KEY_ID/,
    });
  },
);
