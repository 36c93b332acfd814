import { CredentialsFormatError } from '@empdir/shared';
import t from 'tap';
import { MalformedDocumentError, NoInstanceProfileError, RoleNotFoundError } from './errors.js';
import { FakeClock } from './fake-clock.js';
import { ImdsClient, type ImdsClientOptions } from './imds-client.js';
import { createMetrics } from './metrics.js';
import { TokenBucket } from './token-bucket.js';
import { healthyImds, imdsDoc, type Responder, ScriptedTransport } from './upstream.fixture.js';

const CREDS = '/latest/meta-data/iam/security-credentials/app-role';
const ROLE = '/latest/meta-data/iam/security-credentials/';
const TOKEN = '/latest/api/token';

function setup(responder?: Responder, overrides: Partial<ImdsClientOptions> = {}) {
  const clock = new FakeClock({ startMs: Date.UTC(2026, 0, 1), autoAdvanceSleeps: true });
  const sleeps: number[] = [];
  const sleep = clock.sleep;
  clock.sleep = (ms, signal) => {
    sleeps.push(ms);
    return sleep(ms, signal);
  };
  const transport = new ScriptedTransport(responder ?? healthyImds(clock.now));
  const metrics = createMetrics();
  const client = new ImdsClient({
    transport: transport.send,
    clock,
    ceiling: new TokenBucket({ ratePerSecond: 100, burst: 100, clock }),
    tokenTtlSeconds: 3600,
    maxAttempts: 4,
    random: () => 0.5,
    metrics,
    ...overrides,
  });
  return { clock, sleeps, transport, client, metrics };
}

t.test(
  'one session token serves many calls, sent on every GET; never X-Forwarded-For',
  async (t) => {
    const { client, transport } = setup();
    t.equal(await client.roleName(), 'app-role');
    const doc = await client.credentials('app-role');
    t.equal(doc.Code, 'Success');
    await client.identity();
    await client.credentials('app-role');
    t.equal(transport.count(TOKEN), 1, 'one PUT for four GETs');
    const put = transport.requests[0];
    t.equal(put?.method, 'PUT');
    t.equal(put?.headers['x-aws-ec2-metadata-token-ttl-seconds'], '3600');
    const tokens = new Set(
      transport.requests.slice(1).map((r) => r.headers['x-aws-ec2-metadata-token']),
    );
    t.equal(tokens.size, 1, 'the same token on every GET');
    for (const request of transport.requests) {
      t.notOk(
        Object.keys(request.headers).some((name) => name.toLowerCase() === 'x-forwarded-for'),
      );
    }
  },
);

t.test('concurrent calls share one token PUT', async (t) => {
  const { client, transport } = setup();
  await Promise.all([client.roleName(), client.credentials('app-role'), client.identity()]);
  t.equal(transport.count(TOKEN), 1);
});

t.test('the token is renewed shortly before its TTL ends, not after', async (t) => {
  const { client, transport, clock } = setup();
  await client.roleName();
  clock.advance(3600_000 - 60_000 - 1);
  await client.roleName();
  t.equal(transport.count(TOKEN), 1, 'still inside the TTL minus the margin');
  clock.advance(1);
  await client.roleName();
  t.equal(transport.count(TOKEN), 2, 'renewed a minute before the TTL');
});

t.test('a 401 fetches one new token and retries once; a second 401 is an error', async (t) => {
  const { client, transport, clock } = setup();
  const healthy = healthyImds(clock.now);
  let revoke = 1;
  transport.responder = (request) => {
    if (request.method === 'GET' && revoke > 0) {
      revoke -= 1;
      return { status: 401, body: '' };
    }
    return healthy(request);
  };
  t.equal(await client.roleName(), 'app-role');
  t.equal(transport.count(TOKEN), 2);
  t.equal(transport.count(ROLE), 2);

  transport.responder = (request) =>
    request.method === 'PUT' ? { status: 200, body: 'tok' } : { status: 401, body: '' };
  const before = transport.requests.length;
  await t.rejects(client.roleName(), { name: 'ImdsRequestError', status: 401 });
  t.equal(transport.requests.length - before, 3, 'GET, PUT, GET: no loop');
});

t.test('429, 5xx and timeouts are retried with full-jitter backoff, bounded', async (t) => {
  const { client, transport, sleeps, clock } = setup();
  const healthy = healthyImds(clock.now);
  const failures: Array<'timeout' | 'network' | { status: number; body: string }> = [
    { status: 429, body: '' },
    { status: 503, body: '' },
    'timeout',
  ];
  transport.responder = (request) =>
    request.path === CREDS && failures.length > 0
      ? (failures.shift() ?? 'network')
      : healthy(request);
  const doc = await client.credentials('app-role');
  t.equal(doc.Code, 'Success');
  t.equal(transport.count(CREDS), 4);
  // random() = 0.5: half of min(cap, 200 * 2^n).
  t.same(sleeps, [100, 200, 400]);

  transport.responder = (request) =>
    request.path === CREDS ? { status: 500, body: '' } : healthy(request);
  const before = transport.count(CREDS);
  await t.rejects(client.credentials('app-role'), { name: 'ImdsRequestError', status: 500 });
  t.equal(transport.count(CREDS) - before, 4, 'maxAttempts attempts, then give up');
});

t.test(
  '4xx other than 401 are not retried; 404 on the role path means the role is gone',
  async (t) => {
    const { client, transport, clock } = setup();
    const healthy = healthyImds(clock.now);
    transport.responder = (request) =>
      request.path === CREDS ? { status: 404, body: '' } : healthy(request);
    await t.rejects(client.credentials('app-role'), RoleNotFoundError);
    t.equal(transport.count(CREDS), 1);
    transport.responder = (request) =>
      request.path === ROLE ? { status: 404, body: '' } : healthy(request);
    await t.rejects(client.roleName(), NoInstanceProfileError);
    transport.responder = (request) =>
      request.path === ROLE ? { status: 200, body: '\n' } : healthy(request);
    await t.rejects(client.roleName(), NoInstanceProfileError);
    transport.responder = (request) =>
      request.path === ROLE ? { status: 200, body: '../../dynamic' } : healthy(request);
    await t.rejects(client.roleName(), MalformedDocumentError);
  },
);

t.test('documents are validated with the shared schemas', async (t) => {
  const { client, transport, clock } = setup();
  const healthy = healthyImds(clock.now);
  for (const body of [
    'not json',
    JSON.stringify({ ...imdsDoc(clock.now()), Code: 'Failure' }),
    JSON.stringify({ ...imdsDoc(clock.now()), Expiration: 'soon' }),
    JSON.stringify({ ...imdsDoc(clock.now()), Token: undefined }),
  ]) {
    transport.responder = (request) =>
      request.path === CREDS ? { status: 200, body } : healthy(request);
    await t.rejects(client.credentials('app-role'), CredentialsFormatError);
  }
  transport.responder = (request) =>
    request.path.includes('identity') ? { status: 200, body: '{"region":1}' } : healthy(request);
  await t.rejects(client.identity(), MalformedDocumentError);
  transport.responder = healthy;
  t.same(await client.identity(), {
    instanceId: 'i-0123456789abcdef0',
    region: 'eu-west-1',
    availabilityZone: 'eu-west-1b',
    instanceType: 't3.micro',
    accountId: '123456789012',
    imageId: 'ami-0123456789abcdef0',
  });
});

t.test('iam/info: validated, small extra fields kept, 404 means no instance profile', async (t) => {
  const { client, transport, clock } = setup();
  const healthy = healthyImds(clock.now);
  const info = {
    Code: 'Success',
    LastUpdated: '2026-01-01T00:00:00Z',
    InstanceProfileArn: 'arn:aws:iam::123456789012:instance-profile/app',
    InstanceProfileId: 'AIPAEXAMPLEID',
  };
  let reply = { status: 200, body: JSON.stringify({ ...info, Extra: 'kept', Deep: { no: 1 } }) };
  transport.responder = (request) =>
    request.path === '/latest/meta-data/iam/info' ? reply : healthy(request);
  t.same(await client.iamInfo(), { ...info, Extra: 'kept' });
  for (const body of ['{', JSON.stringify({ ...info, InstanceProfileArn: 'x' })]) {
    reply = { status: 200, body };
    await t.rejects(client.iamInfo(), MalformedDocumentError);
  }
  reply = { status: 404, body: 'Not Found' };
  await t.rejects(client.iamInfo(), NoInstanceProfileError);
});

t.test('the rate ceiling holds even while IMDS throttles every request', async (t) => {
  const clock = new FakeClock({ startMs: 0, autoAdvanceSleeps: true });
  const sentAt: number[] = [];
  const transport = new ScriptedTransport(() => {
    sentAt.push(clock.now());
    return { status: 429, body: '' };
  });
  // random() = 0: no backoff at all, so only the ceiling spaces the attempts out.
  const client = new ImdsClient({
    transport: transport.send,
    clock,
    ceiling: new TokenBucket({ ratePerSecond: 2, burst: 2, clock }),
    tokenTtlSeconds: 60,
    maxAttempts: 10,
    random: () => 0,
  });
  await t.rejects(client.roleName(), { name: 'ImdsRequestError', status: 429 });
  t.equal(sentAt.length, 10);
  t.same(sentAt, [0, 0, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000]);
});

t.test('upstream calls are counted by path (role templated) and status', async (t) => {
  const { client, metrics, transport, clock } = setup();
  const healthy = healthyImds(clock.now);
  let first = true;
  transport.responder = (request) => {
    if (request.path === CREDS && first) {
      first = false;
      return 'timeout';
    }
    return healthy(request);
  };
  await client.credentials('app-role');
  const text = await metrics.registry.metrics();
  t.match(text, /imds_cache_upstream_requests_total\{path="\/latest\/api\/token",status="200"\} 1/);
  t.match(
    text,
    /path="\/latest\/meta-data\/iam\/security-credentials\/\{role\}",status="timeout"\} 1/,
  );
  t.notMatch(text, /app-role/);
});

t.test(
  'the Date header of IMDS answers sets the clock skew (gauge) and corrects expiry',
  async (t) => {
    const aheadMs = 8 * 60_000;
    let clockNow = () => 0;
    const healthy = healthyImds(() => clockNow() + aheadMs);
    const { client, clock, metrics } = setup(async (request) => {
      const reply = await healthy(request);
      if (typeof reply === 'string') return reply;
      return { ...reply, date: new Date(clock.now() + aheadMs).toUTCString() };
    });
    clockNow = clock.now;
    t.equal(client.clockSkewMs, 0, 'nothing known before the first answer');
    const doc = await client.credentials('app-role');
    t.equal(client.clockSkewMs, aheadMs + 500);
    t.equal(
      client.toLocalMs(Date.parse(doc.Expiration)),
      Date.parse(doc.Expiration) - aheadMs - 500,
    );
    t.match(await metrics.registry.metrics(), /imds_cache_clock_skew_seconds 480\.5/);
  },
);
