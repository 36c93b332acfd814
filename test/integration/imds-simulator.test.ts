import t, { type Test } from 'tap';
import { parseImdsCredentials } from '../../packages/shared/dist/index.js';
import { imdsHttp } from '../support/imds-http.js';
import { type ImdsSimulatorOptions, startImdsSimulator } from '../support/imds-simulator.js';

const ROLE_PATH = '/latest/meta-data/iam/security-credentials/';
const START_MS = Date.parse('2030-01-01T00:00:00Z');

async function simulator(t: Test, options: ImdsSimulatorOptions = {}) {
  const clock = { nowMs: START_MS };
  const sim = await startImdsSimulator({ now: () => clock.nowMs, ...options });
  t.teardown(() => sim.close());
  return { sim, clock, ...imdsHttp(sim.url) };
}

t.test('token PUT enforces the TTL bounds and GET on the token path is 405', async (t) => {
  const { putToken, get, sim } = await simulator(t);
  for (const ttl of ['1', '21600']) {
    const response = await putToken(ttl);
    t.equal(response.status, 200, `ttl ${ttl} accepted`);
    t.equal(response.headers.get('x-aws-ec2-metadata-token-ttl-seconds'), ttl);
    t.match(await response.text(), /^[\w-]{20,}$/);
  }
  for (const ttl of ['0', '21601', '', 'abc', '1.5', undefined]) {
    t.equal((await putToken(ttl)).status, 400, `ttl ${JSON.stringify(ttl)} rejected`);
  }
  t.equal((await fetch(`${sim.url}/latest/api/token`)).status, 405);
  const tok = await (await putToken('60')).text();
  t.equal((await get('/latest/meta-data/instance-id', tok, { method: 'POST' })).status, 405);
});

t.test('GETs need an unexpired token on the injected clock', async (t) => {
  const { token, get, clock } = await simulator(t);
  t.equal((await get(ROLE_PATH)).status, 401, 'no token');
  t.equal((await get(ROLE_PATH, 'not-a-token')).status, 401, 'unknown token');
  const tok = await token(10);
  clock.nowMs += 9_999;
  t.equal((await get(ROLE_PATH, tok)).status, 200, 'valid just before expiry');
  clock.nowMs += 1;
  t.equal((await get(ROLE_PATH, tok)).status, 401, 'expired at ttl');
});

t.test('any request with X-Forwarded-For is refused with 403', async (t) => {
  const { putToken, token, get } = await simulator(t);
  t.equal((await putToken('60', { 'x-forwarded-for': '203.0.113.9' })).status, 403);
  const tok = await token();
  t.equal(
    (await get(ROLE_PATH, tok, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status,
    403,
  );
});

t.test('serves the role and a credentials document valid for the lifetime', async (t) => {
  const lifetimeMs = 2 * 3_600_000;
  const { token, get } = await simulator(t, { credentialLifetimeMs: lifetimeMs });
  const tok = await token();
  t.equal(await (await get(ROLE_PATH, tok)).text(), 'empdir-app-role');
  const doc = parseImdsCredentials(await (await get(`${ROLE_PATH}empdir-app-role`, tok)).text());
  t.match(doc.AccessKeyId, /^ASIA[0-9A-F]{16}$/);
  t.equal(doc.LastUpdated, '2030-01-01T00:00:00Z');
  t.equal(Date.parse(doc.Expiration), START_MS + lifetimeMs);
  t.equal((await get(`${ROLE_PATH}other-role`, tok)).status, 404);

  const fixed = await simulator(t, { accessKeyId: 'S3RVER', roleName: 'local-role' });
  const fixedTok = await fixed.token();
  const fixedDoc = await (await fixed.get(`${ROLE_PATH}local-role`, fixedTok)).json();
  t.equal(fixedDoc.AccessKeyId, 'S3RVER');
  t.same(fixedDoc, fixed.sim.currentCredentials());
});

t.test('serves instance identity and 404 for anything else', async (t) => {
  const { token, get } = await simulator(t, {
    instance: { region: 'eu-west-1', availabilityZone: 'eu-west-1b' },
  });
  const tok = await token();
  const identity = await (await get('/latest/dynamic/instance-identity/document', tok)).json();
  t.match(identity, {
    instanceId: 'i-0123456789abcdef0',
    region: 'eu-west-1',
    availabilityZone: 'eu-west-1b',
    instanceType: 't3.micro',
    accountId: '123456789012',
  });
  const leaves: Record<string, string> = {
    '/latest/meta-data/instance-id': 'i-0123456789abcdef0',
    '/latest/meta-data/placement/availability-zone': 'eu-west-1b',
    '/latest/meta-data/placement/region': 'eu-west-1',
    '/latest/meta-data/instance-type': 't3.micro',
  };
  for (const [path, value] of Object.entries(leaves))
    t.equal(await (await get(path, tok)).text(), value);
  t.equal((await get('/latest/meta-data/ami-id', tok)).status, 404);
  t.equal((await get('/__simulator/counters', tok)).status, 404, 'no control endpoints in process');
});

t.test('the token bucket answers 429 when drained and refills with the clock', async (t) => {
  const { sim, clock, putToken } = await simulator(t, {
    rateLimit: { ratePerSecond: 2, burst: 3 },
  });
  const statuses = async (n: number) => {
    const result: number[] = [];
    for (let i = 0; i < n; i += 1) result.push((await putToken('60')).status);
    return result;
  };
  t.same(await statuses(4), [200, 200, 200, 429]);
  clock.nowMs += 500;
  t.same(await statuses(2), [200, 429], 'half a second refills one token');
  clock.nowMs += 60_000;
  t.same(await statuses(4), [200, 200, 200, 429], 'never more than the burst');
  sim.setRateLimit(undefined);
  t.same(await statuses(5), [200, 200, 200, 200, 200], 'limit lifted');
  t.equal(sim.counters().byStatus['429'], 3);
});

t.test('rotation and role change', async (t) => {
  const { sim, clock, token, get } = await simulator(t, { credentialLifetimeMs: 3_600_000 });
  const before = sim.currentCredentials();
  clock.nowMs += 60_000;
  sim.rotateCredentials();
  const after = sim.currentCredentials();
  t.not(after.AccessKeyId, before.AccessKeyId);
  t.not(after.SecretAccessKey, before.SecretAccessKey);
  t.not(after.Token, before.Token);
  t.equal(after.LastUpdated, '2030-01-01T00:01:00Z');
  t.equal(after.Expiration, '2030-01-01T01:01:00Z');
  const tok = await token();
  t.same(await (await get(`${ROLE_PATH}empdir-app-role`, tok)).json(), after);

  sim.setRole('new-role');
  t.equal(await (await get(ROLE_PATH, tok)).text(), 'new-role');
  t.equal((await get(`${ROLE_PATH}empdir-app-role`, tok)).status, 404, 'old role gone');
  t.same(await (await get(`${ROLE_PATH}new-role`, tok)).json(), sim.currentCredentials());
  t.throws(() => sim.setRole('bad/role'), RangeError);
});

t.test('counters track every request by path and status until reset', async (t) => {
  const { sim, token, get } = await simulator(t);
  const tok = await token();
  await get(ROLE_PATH, tok);
  await get(`${ROLE_PATH}empdir-app-role`, tok);
  await get(ROLE_PATH);
  t.same(sim.counters(), {
    total: 4,
    byPath: { '/latest/api/token': 1, [ROLE_PATH]: 2, [`${ROLE_PATH}empdir-app-role`]: 1 },
    byStatus: { '200': 3, '401': 1 },
  });
  sim.resetCounters();
  t.same(sim.counters(), { total: 0, byPath: {}, byStatus: {} });
});
