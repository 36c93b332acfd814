import { randomBytes } from 'node:crypto';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import t, { type Test } from 'tap';
import { AssumeRoleSource } from '../../packages/imds-cache/src/assume-role-source.js';
import { type ClientSpec, parseClientsFile } from '../../packages/imds-cache/src/clients-file.js';
import { CredentialCache } from '../../packages/imds-cache/src/credential-cache.js';
import { FakeClock } from '../../packages/imds-cache/src/fake-clock.js';
import { StsRequestError } from '../../packages/imds-cache/src/sts-request-error.js';
import { type ImdsCredentials, parseImdsCredentials } from '../../packages/shared/dist/index.js';
import { startImdsSimulator } from '../support/imds-simulator.js';
import { imdsTrustedSource } from '../support/sts-imds-link.js';
import { startStsSimulator } from '../support/sts-simulator.js';

const ACCOUNT = '123456789012';
const INSTANCE_ID = 'i-0123456789abcdef0';
const INSTANCE_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/empdir-app-role/${INSTANCE_ID}`;
const policy = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'dynamodb:Query', Resource: '*' }],
};
const [api, reports] = parseClientsFile(
  JSON.stringify({
    clients: [
      {
        name: 'api',
        tokenFile: '/run/imds-cache/clients/api.token',
        roleArn: `arn:aws:iam::${ACCOUNT}:role/empdir-prod-api`,
      },
      {
        name: 'reports',
        tokenFile: '/run/imds-cache/clients/reports.token',
        roleArn: `arn:aws:iam::${ACCOUNT}:role/empdir-prod-reports`,
        sessionPolicy: policy,
        durationSeconds: 1800,
      },
    ],
  }),
) as [ClientSpec, ClientSpec];

// The instance role's credentials as IMDS would hand them out, built at run time.
const instanceDocument = (): ImdsCredentials => ({
  Code: 'Success',
  LastUpdated: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  Type: 'AWS-HMAC',
  AccessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
  SecretAccessKey: randomBytes(30).toString('base64'),
  Token: randomBytes(64).toString('base64'),
  Expiration: new Date(Date.now() + 6 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
});

async function setup(t: Test, client: ClientSpec, extra: { maxAttempts?: number } = {}) {
  const sim = await startStsSimulator({ roles: [api.roleArn, reports.roleArn] });
  t.teardown(() => sim.close());
  const instance = instanceDocument();
  sim.trust({
    accessKeyId: instance.AccessKeyId,
    secretAccessKey: instance.SecretAccessKey,
    sessionToken: instance.Token,
    arn: INSTANCE_ARN,
  });
  const clock = new FakeClock();
  const outcomes: string[] = [];
  let instanceReads = 0;
  const source = new AssumeRoleSource({
    client,
    instanceCredentials: async () => {
      instanceReads += 1;
      return instance;
    },
    instanceId: INSTANCE_ID,
    region: 'eu-west-1',
    stsEndpoint: sim.url,
    callerUserName: 'empdir',
    clock,
    onCall: (outcome) => outcomes.push(outcome),
    ...extra,
  });
  t.teardown(() => source.destroy());
  return { sim, source, clock, outcomes, instanceReads: () => instanceReads };
}

t.test(
  'AssumeRole is signed with the instance role and sends name, tags, policy, identity',
  async (t) => {
    const { sim, source, clock, outcomes } = await setup(t, reports);
    t.equal(await source.roleName(), 'empdir-prod-reports');
    const document = await source.credentials('empdir-prod-reports');
    t.match(document, {
      Code: 'Success',
      Type: 'AWS-HMAC',
      AccessKeyId: /^ASIA[0-9A-F]{16}$/,
      LastUpdated: new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      Expiration: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/,
    });
    const lifetimeMs = Date.parse(document.Expiration) - Date.now();
    t.ok(lifetimeMs > 1_790_000 && lifetimeMs <= 1_800_000, 'the client spec asked for 30 minutes');
    t.same(sim.assumeRoleCalls(), [
      {
        ...sim.assumeRoleCalls()[0],
        callerArn: INSTANCE_ARN,
        roleArn: reports.roleArn,
        roleSessionName: `${INSTANCE_ID}-reports`,
        sourceIdentity: 'empdir',
        tags: { client: 'reports' },
        transitiveTagKeys: [],
        policy: JSON.stringify(policy),
        durationSeconds: 1800,
        chained: true,
        outcome: 'ok',
      },
    ]);
    t.same(outcomes, ['ok']);
    // An unmodified SDK signs with the scoped credentials and is the client's role session.
    const scoped = new STSClient({
      endpoint: sim.url,
      region: 'eu-west-1',
      credentials: {
        accessKeyId: document.AccessKeyId,
        secretAccessKey: document.SecretAccessKey,
        sessionToken: document.Token,
      },
    });
    t.teardown(() => scoped.destroy());
    const identity = await scoped.send(new GetCallerIdentityCommand({}));
    t.equal(
      identity.Arn,
      `arn:aws:sts::${ACCOUNT}:assumed-role/empdir-prod-reports/${INSTANCE_ID}-reports`,
    );
    await t.rejects(source.credentials('some-other-role'), { name: 'RoleNotFoundError' });
  },
);

t.test('in a CredentialCache: five concurrent callers cause one AssumeRole', async (t) => {
  const { sim, source, clock, instanceReads } = await setup(t, api);
  const cache = new CredentialCache({
    source,
    clock,
    ttlMs: 120_000,
    minRemainingMs: 900_000,
    serveFloorMs: 60_000,
  });
  const held = await Promise.all(Array.from({ length: 5 }, () => cache.get()));
  t.equal(new Set(held.map((h) => h.document.AccessKeyId)).size, 1, 'all five got the same');
  t.equal(held[0]?.role, 'empdir-prod-api');
  t.equal(sim.counters().byAction.AssumeRole, 1);
  t.equal(instanceReads(), 1);
  t.match(sim.assumeRoleCalls()[0], {
    durationSeconds: 3600,
    policy: undefined,
    tags: { client: 'api' },
  });
  // Past the cache TTL the next lookup refreshes in the background: one more call, same signer.
  clock.advance(121_000);
  t.ok(cache.getNow(), 'still served while refreshing');
  await cache.refresh();
  t.equal(sim.counters().byAction.AssumeRole, 2);
  t.equal(instanceReads(), 1, 'the SDK reuses the instance credentials until near their expiry');
});

t.test(
  'STS failures become StsRequestError with a stable reason; the cache keeps serving',
  async (t) => {
    const { sim, source, clock, outcomes } = await setup(t, api, { maxAttempts: 1 });
    const cache = new CredentialCache({
      source,
      clock,
      ttlMs: 120_000,
      minRemainingMs: 900_000,
      serveFloorMs: 60_000,
      random: () => 0,
    });
    const first = await cache.get();
    const cases = [
      { fault: 'throttling', reason: 'sts_throttled', retryable: true, status: 400 },
      { fault: 'access-denied', reason: 'sts_access_denied', retryable: false, status: 403 },
      { fault: 'unavailable', reason: 'sts_5xx', retryable: true, status: 503 },
      { fault: 'down', reason: 'sts_network', retryable: true, status: undefined },
    ] as const;
    for (const c of cases) {
      sim.setFault({ kind: c.fault, count: 1 });
      const error = (await source
        .credentials(api.roleName)
        .catch((e: unknown) => e)) as StsRequestError;
      t.type(error, StsRequestError, c.fault);
      t.match(
        error,
        { reason: c.reason, retryable: c.retryable, status: c.status, client: 'api' },
        c.fault,
      );
      t.notMatch(error.message, /not authorized|Rate exceeded/, 'none of AWS text in the message');
    }
    t.same(outcomes, ['ok', 'sts_throttled', 'sts_access_denied', 'sts_5xx', 'sts_network']);
    sim.setFault({ kind: 'throttling' });
    clock.advance(121_000);
    await t.rejects(cache.refresh(), { name: 'StsRequestError' });
    t.equal(
      (await cache.get()).document.AccessKeyId,
      first.document.AccessKeyId,
      'static stability',
    );
  },
);

t.test('an unknown instance key is refused by STS as an auth failure', async (t) => {
  const sim = await startStsSimulator();
  t.teardown(() => sim.close());
  const source = new AssumeRoleSource({
    client: api,
    instanceCredentials: async () => instanceDocument(),
    instanceId: INSTANCE_ID,
    region: 'eu-west-1',
    stsEndpoint: sim.url,
    clock: new FakeClock(),
    maxAttempts: 1,
  });
  t.teardown(() => source.destroy());
  await t.rejects(source.credentials(api.roleName), {
    name: 'StsRequestError',
    code: 'InvalidClientTokenId',
    reason: 'sts_auth',
  });
  t.same(sim.assumeRoleCalls(), [], 'never reached AssumeRole');
});

t.test(
  'linked to the IMDS simulator: the instance role signs, also after a rotation',
  async (t) => {
    const imds = await startImdsSimulator();
    t.teardown(() => imds.close());
    const sts = await startStsSimulator({ trustedSource: imdsTrustedSource(imds.url) });
    t.teardown(() => sts.close());
    const assume = async () => {
      const source = new AssumeRoleSource({
        client: api,
        instanceCredentials: async () => parseImdsCredentials(imds.currentCredentials()),
        instanceId: INSTANCE_ID,
        region: 'eu-west-1',
        stsEndpoint: sts.url,
        clock: new FakeClock(),
        maxAttempts: 1,
      });
      t.teardown(() => source.destroy());
      return source.credentials(api.roleName);
    };
    t.ok(await assume());
    t.equal(sts.assumeRoleCalls()[0]?.callerArn, INSTANCE_ARN, 'the instance role session');
    const imdsCalls = imds.counters().total;
    t.ok(await assume(), 'a known key needs no IMDS lookup');
    t.equal(imds.counters().total, imdsCalls);
    imds.rotateCredentials();
    t.ok(await assume(), 'the rotated key is looked up and accepted');
    t.equal(sts.counters().byAction.AssumeRole, 3);
    t.same(sts.counters().byCode, {});
  },
);
