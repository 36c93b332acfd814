import t from 'tap';
import { parseContainerCredentials } from '../../packages/shared/dist/index.js';
import { metricValue, startStack, until } from './imds-cache-harness.js';

const TOKEN_PATH = '/latest/api/token';
const ROLE_PATH = '/latest/meta-data/iam/security-credentials/';
const CREDS_PATH = `${ROLE_PATH}empdir-app-role`;
const IDENTITY_PATH = '/latest/dynamic/instance-identity/document';

t.test('cold start: the first request waits for one upstream fetch', async (t) => {
  const stack = await startStack(t, { warm: false });
  const { status, body } = await stack.credentials();
  t.equal(status, 200);
  const counters = stack.sim.counters();
  t.equal(counters.byPath[TOKEN_PATH], 1, 'one session token');
  t.equal(counters.byPath[ROLE_PATH], 1, 'one role lookup');
  t.equal(counters.byPath[CREDS_PATH], 1, 'one credentials fetch');
  const upstream = stack.sim.currentCredentials();
  t.equal(body.AccessKeyId, upstream.AccessKeyId);
  t.equal(body.SecretAccessKey, upstream.SecretAccessKey);
  t.equal(body.Token, upstream.Token);
  t.equal(body.Expiration, upstream.Expiration, 'Expiration passes through unchanged');
  t.match(body.Expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  t.same(parseContainerCredentials(body).AccessKeyId, upstream.AccessKeyId);
});

t.test('warm hits make zero upstream calls', async (t) => {
  const stack = await startStack(t);
  stack.sim.resetCounters();
  for (let i = 0; i < 100; i++) t.equal((await stack.credentials()).status, 200);
  t.equal(stack.sim.counters().total, 0);
  t.equal(await metricValue(stack, 'imds_cache_cache_lookups_total', { result: 'hit' }), 100);
});

t.test('1000 concurrent cold requests: one upstream call of each kind, all served', async (t) => {
  const stack = await startStack(t, {
    warm: false,
    holdCredentials: true,
    // The held fetch must not time out while 1000 requests arrive on a busy machine: a retry
    // would be a second lookup of its own, not a broken single flight.
    env: { IMDS_CACHE_RATE_LIMIT_BURST: '1000', IMDS_CACHE_IMDS_TIMEOUT_MS: '60000' },
  });
  const responses = Promise.all(Array.from({ length: 1000 }, () => stack.credentials()));
  // Every request has arrived and is waiting on the one fetch before IMDS may answer it.
  await until(
    async () =>
      (await metricValue(stack, 'imds_cache_cache_lookups_total', { result: 'miss' })) >= 1000,
  );
  t.equal(stack.daemon.cache.peek(), undefined, 'still cold while they wait');
  stack.releaseCredentials();
  const results = await responses;
  t.equal(results.filter((r) => r.status === 200).length, 1000, 'all 1000 succeed');
  t.equal(new Set(results.map((r) => r.body.AccessKeyId)).size, 1, 'all got the same credentials');
  const { byPath } = stack.sim.counters();
  t.equal(byPath[TOKEN_PATH], 1, 'one session token');
  t.equal(byPath[ROLE_PATH], 1, 'one role lookup');
  t.equal(byPath[CREDS_PATH], 1, 'exactly one credentials fetch');
  // The identity document (fetched at start-up for /v1/instance) is the one other kind.
  t.same(
    byPath,
    { [TOKEN_PATH]: 1, [ROLE_PATH]: 1, [CREDS_PATH]: 1, [IDENTITY_PATH]: 1 },
    'one call of each kind, nothing else',
  );
});

t.test(
  '/v1/instance: the identity document, fetched once for the life of the daemon',
  async (t) => {
    const stack = await startStack(t);
    const first = await stack.get('/v1/instance');
    t.equal(first.status, 200);
    t.same(await first.json(), {
      instanceId: 'i-0123456789abcdef0',
      region: 'us-east-1',
      availabilityZone: 'us-east-1a',
      instanceType: 't3.micro',
      accountId: '123456789012',
    });
    for (let i = 0; i < 10; i++) await stack.get('/v1/instance');
    t.equal(stack.sim.counters().byPath['/latest/dynamic/instance-identity/document'], 1);
    t.equal(
      (await stack.credentials()).body.AccountId,
      '123456789012',
      'AccountId from the identity',
    );
  },
);
