import { randomBytes } from 'node:crypto';
import t from 'tap';
import { AssumeRoleSource, stsSafeName } from './assume-role-source.js';
import type { ClientSpec } from './clients-file.js';
import { FakeClock } from './fake-clock.js';
import { StsRequestError, toStsRequestError } from './sts-request-error.js';

const spec = (over: Partial<ClientSpec> = {}): ClientSpec => ({
  name: 'api',
  tokenFile: '/run/api.token',
  group: undefined,
  roleArn: 'arn:aws:iam::123456789012:role/empdir-prod-api',
  roleName: 'empdir-prod-api',
  accountId: '123456789012',
  sessionPolicy: undefined,
  durationSeconds: 3600,
  ...over,
});

const source = (over: Partial<ConstructorParameters<typeof AssumeRoleSource>[0]> = {}) =>
  new AssumeRoleSource({
    client: spec(),
    // Resolved before the request is built; never sent anywhere.
    instanceCredentials: async () => ({
      Code: 'Success',
      LastUpdated: '2026-11-30T00:00:00Z',
      Type: 'AWS-HMAC',
      AccessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
      SecretAccessKey: randomBytes(30).toString('base64'),
      Token: 'token',
      Expiration: new Date(Date.now() + 3_600_000).toISOString(),
    }),
    instanceId: 'i-0123456789abcdef0',
    region: 'eu-west-1',
    clock: new FakeClock({ startMs: 0 }),
    ...over,
  });

t.test('stsSafeName keeps STS characters, replaces the rest, trims to 64', async (t) => {
  t.equal(stsSafeName('i-0abc-api_2+=,.@'), 'i-0abc-api_2+=,.@');
  t.equal(stsSafeName('i-0abc-my client/ü$'), 'i-0abc-my-client---');
  t.equal(stsSafeName('x'.repeat(70)).length, 64);
});

t.test(
  'the request: session name, tag, duration capped at 1 h, policy, source identity',
  async (t) => {
    t.same(source().request, {
      RoleArn: 'arn:aws:iam::123456789012:role/empdir-prod-api',
      RoleSessionName: 'i-0123456789abcdef0-api',
      Tags: [{ Key: 'client', Value: 'api' }],
      DurationSeconds: 3600,
    });
    const long = source({
      client: spec({
        name: 'n'.repeat(60),
        durationSeconds: 7200,
        sessionPolicy: '{"Statement":[]}',
      }),
      callerUserName: 'svc$reports',
    }).request;
    t.equal(long.RoleSessionName, `i-0123456789abcdef0-${'n'.repeat(44)}`);
    t.equal(long.RoleSessionName?.length, 64);
    t.equal(long.DurationSeconds, 3600, 'role chaining never gets more than an hour');
    t.equal(long.Policy, '{"Statement":[]}');
    t.equal(long.SourceIdentity, 'svc-reports');
    t.notOk(
      'SourceIdentity' in source({ callerUserName: 'x' }).request,
      'too short for STS: omitted',
    );
    t.equal(source({ client: spec({ durationSeconds: 900 }) }).request.DurationSeconds, 900);
  },
);

t.test('the regional STS endpoint unless one is configured', async (t) => {
  const hostOf = async (s: AssumeRoleSource) => {
    let host = '';
    // Stop before signing: the request is built and addressed but never sent.
    s.stsClient.middlewareStack.add(
      () => async (args) => {
        const request = args.request as { protocol: string; hostname: string; port?: number };
        host = `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}`;
        throw new Error('stop');
      },
      { step: 'build' },
    );
    await s.credentials('empdir-prod-api').catch(() => undefined);
    s.destroy();
    return host;
  };
  t.equal(await hostOf(source()), 'https://sts.eu-west-1.amazonaws.com');
  t.equal(await hostOf(source({ region: 'us-east-1' })), 'https://sts.us-east-1.amazonaws.com');
  t.equal(await hostOf(source({ stsEndpoint: 'http://127.0.0.1:4599' })), 'http://127.0.0.1:4599');
});

t.test('SDK errors map to stable reasons; aborts pass through', async (t) => {
  const sdkError = (name: string, status?: number, code?: string) =>
    Object.assign(new Error('AWS text'), {
      name,
      ...(status ? { $metadata: { httpStatusCode: status } } : {}),
      ...(code ? { code } : {}),
    });
  const reasonOf = (error: Error) => {
    const mapped = toStsRequestError('api', error);
    return mapped instanceof StsRequestError ? [mapped.reason, mapped.retryable] : mapped;
  };
  t.same(reasonOf(sdkError('Throttling', 400)), ['sts_throttled', true]);
  t.same(reasonOf(sdkError('ExpiredToken', 403)), ['sts_auth', false]);
  t.same(reasonOf(sdkError('RegionDisabledException', 403)), ['sts_region_disabled', false]);
  t.same(reasonOf(sdkError('InternalFailure', 500)), ['sts_5xx', true]);
  t.same(reasonOf(sdkError('Odd', 418)), ['sts_418', false]);
  t.same(reasonOf(sdkError('TimeoutError')), ['sts_timeout', true]);
  t.same(reasonOf(sdkError('TimeoutError', undefined, 'ECONNRESET')), ['sts_network', true]);
  t.same(reasonOf(sdkError('Error', undefined, 'ECONNREFUSED')), ['sts_network', true]);
  const abort = sdkError('AbortError');
  t.equal(toStsRequestError('api', abort), abort);
  t.equal(toStsRequestError('api', 'text'), 'text');
});
