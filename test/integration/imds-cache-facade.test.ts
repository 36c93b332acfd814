// The IMDSv2 facade as a complete IMDS for the paths SDKs and tools read: the token answer's TTL
// header, iam/info, the identity document and its leaves, and the credentials document with the
// fields IMDS added (AccountId) passed on — to the facade's readers and to /v1/credentials.
import { fromInstanceMetadata } from '@aws-sdk/credential-providers';
import t from 'tap';
import { imdsHttp } from '../support/imds-http.js';
import { DEFAULT_INSTANCE } from '../support/imds-simulator.js';
import { metricValue, startStack } from './imds-cache-harness.js';

const ROLE = 'empdir-app-role';
// Not the identity document's account: proves which document each answer came from.
const CREDENTIALS_ACCOUNT = '210987654321';

const stack = await startStack(t, {
  env: { IMDS_CACHE_IMDS_FACADE: 'on', IMDS_CACHE_FACADE_USERS: String(process.getuid?.()) },
  sim: {
    credentialExtras: {
      AccountId: CREDENTIALS_ACCOUNT,
      Version: 2,
      Oversized: 'x'.repeat(4_096),
    },
  },
});
const facade = imdsHttp(stack.daemon.url);
const upstream = imdsHttp(stack.sim.url);

t.test(
  'the token answer carries X-aws-ec2-metadata-token-ttl-seconds, as EC2 sends it',
  async (t) => {
    for (const ttl of ['1', '60', '21600']) {
      const response = await facade.putToken(ttl);
      t.equal(response.status, 200);
      t.equal(response.headers.get('x-aws-ec2-metadata-token-ttl-seconds'), ttl);
      const real = await upstream.putToken(ttl);
      t.equal(
        response.headers.get('x-aws-ec2-metadata-token-ttl-seconds'),
        real.headers.get('x-aws-ec2-metadata-token-ttl-seconds'),
        'the same header the simulator (EC2) sends',
      );
    }
    t.equal((await facade.putToken('0')).headers.get('x-aws-ec2-metadata-token-ttl-seconds'), null);
  },
);

t.test('identity document, its leaves and iam/info: as IMDS serves them', async (t) => {
  const mine = await facade.token();
  const theirs = await upstream.token();
  const read = async (path: string) => {
    const [a, b] = [await facade.get(path, mine), await upstream.get(path, theirs)];
    t.equal(a.status, 200, path);
    return { ours: await a.text(), real: await b.text() };
  };
  for (const leaf of [
    '/latest/meta-data/instance-id',
    '/latest/meta-data/instance-type',
    '/latest/meta-data/placement/region',
    '/latest/meta-data/placement/availability-zone',
  ]) {
    const { ours, real } = await read(leaf);
    t.equal(ours, real, leaf);
  }
  t.equal((await read('/latest/meta-data/instance-id')).ours, DEFAULT_INSTANCE.instanceId);

  const identity = await read('/latest/dynamic/instance-identity/document');
  t.same(JSON.parse(identity.ours), JSON.parse(identity.real), 'every field, imageId included');

  const info = await read('/latest/meta-data/iam/info');
  t.same(JSON.parse(info.ours), JSON.parse(info.real));
  t.match(JSON.parse(info.ours), {
    Code: 'Success',
    InstanceProfileArn: `arn:aws:iam::${DEFAULT_INSTANCE.accountId}:instance-profile/${ROLE}`,
  });
  const upstreamCalls = await metricValue(stack, 'imds_cache_upstream_requests_total', {
    path: '/latest/meta-data/iam/info',
  });
  t.equal(upstreamCalls, 1, 'the first iam/info went to IMDS');
  await read('/latest/meta-data/iam/info');
  t.equal(
    await metricValue(stack, 'imds_cache_upstream_requests_total', {
      path: '/latest/meta-data/iam/info',
    }),
    upstreamCalls,
    'iam/info is fetched from IMDS once, then served from memory',
  );
  t.equal((await facade.get('/latest/meta-data/ami-id', mine)).status, 404, 'unknown paths 404');
  t.equal((await facade.get('/latest/meta-data/instance-id')).status, 401, 'token required');
});

t.test('unknown small fields of the credentials document reach every client', async (t) => {
  const token = await facade.token();
  const doc = (await (
    await facade.get(`/latest/meta-data/iam/security-credentials/${ROLE}`, token)
  ).json()) as Record<string, unknown>;
  const { Oversized: _dropped, ...sent } = stack.sim.currentCredentials();
  t.same(doc, sent, 'AccountId and Version pass; the 4 KB field does not');

  const { status, body } = await stack.credentials();
  t.equal(status, 200);
  t.equal(body.AccountId, CREDENTIALS_ACCOUNT, '/v1/credentials: the account IMDS sent');
  t.equal(body.Version, 2);
  t.notOk('Oversized' in body);

  const saved = process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
  // With the trailing slash the README recommends (AWS CLI 2.9 needs it).
  process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = `${stack.daemon.url}/`;
  t.teardown(() => {
    if (saved === undefined) delete process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
    else process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = saved;
  });
  const credentials = await fromInstanceMetadata({ maxRetries: 0 })();
  t.equal(credentials.accountId, CREDENTIALS_ACCOUNT, 'the JS SDK reads AccountId from the facade');
});

// Last: it moves the shared daemon to another role.
t.test('iam/info follows a role change; while IMDS fails it is 503 and backs off', async (t) => {
  stack.sim.setRole('other-role');
  await stack.daemon.cache.refresh();
  const token = await facade.token(21_600);
  const iamInfoCalls = () =>
    metricValue(stack, 'imds_cache_upstream_requests_total', {
      path: '/latest/meta-data/iam/info',
    });
  const before = await iamInfoCalls();
  // Every attempt of one fetch fails (iam/info is in the simulator's 'identity' scope).
  stack.sim.setFault({ kind: 'status', status: 500, paths: 'identity', count: 4 });
  const failed = await facade.get('/latest/meta-data/iam/info', token);
  t.equal(failed.status, 503);
  t.equal(failed.headers.get('retry-after'), '5');
  const spent = await iamInfoCalls();
  t.ok(spent > before, 'the new role’s iam/info was asked for');
  t.equal((await facade.get('/latest/meta-data/iam/info', token)).status, 503);
  t.equal(await iamInfoCalls(), spent, 'inside the backoff: no new IMDS call');

  stack.clock.advance(60_000);
  const info = await facade.get('/latest/meta-data/iam/info', token);
  t.equal(info.status, 200);
  t.match(await info.json(), { InstanceProfileArn: /:instance-profile\/other-role$/ });
});
