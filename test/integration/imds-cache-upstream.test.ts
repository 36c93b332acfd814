// How the daemon treats IMDS: one session token, 401 recovery, role changes, rotation,
// malformed documents, timeouts and a 429 storm, all against the simulator on the injected clock.
import t from 'tap';
import { startImdsSimulator } from '../support/imds-simulator.js';
import { metricValue, startStack } from './imds-cache-harness.js';

const TOKEN_PATH = '/latest/api/token';
const ROLE_PATH = '/latest/meta-data/iam/security-credentials/';
const CREDS_PATH = `${ROLE_PATH}empdir-app-role`;

t.test('one session token across many refreshes', async (t) => {
  const stack = await startStack(t);
  for (let i = 0; i < 5; i++) t.equal((await stack.runNextRefresh()).ok, true);
  const counters = stack.sim.counters();
  t.equal(counters.byPath[CREDS_PATH], 6, 'warm-up plus five refreshes');
  t.equal(counters.byPath[TOKEN_PATH], 1, 'one token for all of them');
  t.equal(counters.byPath[ROLE_PATH], 1, 'the role is looked up once');
  t.same(Object.keys(counters.byStatus), ['200'], 'never a 401, 403 or 429');
});

t.test(
  'a 401 (IMDS forgot the token) fetches one new token and retries; never IMDSv1',
  async (t) => {
    const stack = await startStack(t);
    const port = stack.sim.port;
    await stack.sim.close();
    // A new simulator on the same port: same endpoint, none of the old session tokens.
    const restarted = await startImdsSimulator({ port, now: stack.clock.now });
    t.teardown(() => restarted.close());
    const outcome = await stack.runNextRefresh();
    t.equal(outcome.ok, true);
    const counters = restarted.counters();
    t.equal(counters.byStatus['401'], 1, 'one 401');
    t.equal(counters.byPath[TOKEN_PATH], 1, 'one new token');
    t.equal(counters.byPath[CREDS_PATH], 2, 'the GET retried once with it');
    t.equal(
      (await stack.credentials()).body.AccessKeyId,
      restarted.currentCredentials().AccessKeyId,
    );
  },
);

t.test('a role change is followed to the new role’s credentials', async (t) => {
  const stack = await startStack(t);
  const before = (await stack.credentials()).body;
  stack.sim.setRole('empdir-app-role-v2');
  const outcome = await stack.runNextRefresh();
  t.equal(outcome.ok && outcome.held.role, 'empdir-app-role-v2');
  const after = (await stack.credentials()).body;
  t.not(after.AccessKeyId, before.AccessKeyId);
  t.equal(after.AccessKeyId, stack.sim.currentCredentials().AccessKeyId);
  t.equal(stack.sim.counters().byPath[CREDS_PATH], 2, 'the old role answered 404 once');
  t.equal(stack.sim.counters().byPath[ROLE_PATH], 2, 'then the role was looked up again');
});

t.test('rotated credentials are served before the old ones expire', async (t) => {
  const stack = await startStack(t, { sim: { credentialLifetimeMs: 60 * 60_000 } });
  const old = (await stack.credentials()).body;
  stack.sim.rotateCredentials();
  t.equal((await stack.credentials()).body.AccessKeyId, old.AccessKeyId, 'cached until refresh');
  await stack.runNextRefresh();
  const fresh = (await stack.credentials()).body;
  t.equal(fresh.AccessKeyId, stack.sim.currentCredentials().AccessKeyId);
  t.not(fresh.AccessKeyId, old.AccessKeyId);
  const oldExpiresAt = Date.parse(old.Expiration ?? '');
  t.ok(stack.clock.now() < oldExpiresAt - 45 * 60_000, 'picked up within a TTL of the rotation');
});

t.test('a malformed document keeps the previous credentials', async (t) => {
  const stack = await startStack(t);
  const good = (await stack.credentials()).body;
  const fetchedAtMs = stack.clock.now();
  for (const variant of ['not-json', 'code'] as const) {
    stack.sim.setFault({ kind: 'malformed', variant, paths: 'credentials' });
    const outcome = await stack.runNextRefresh();
    t.equal(outcome.ok, false, `${variant}: the refresh failed`);
    const served = await stack.credentials();
    t.equal(served.status, 200);
    t.equal(served.body.AccessKeyId, good.AccessKeyId, `${variant}: previous credentials kept`);
  }
  // Keep failing until well past the TTL: still the previous credentials, now as stale serves.
  while (stack.clock.now() < fetchedAtMs + 2 * stack.config.ttlMs) await stack.runNextRefresh();
  t.equal((await stack.credentials()).body.AccessKeyId, good.AccessKeyId);
  t.ok((await metricValue(stack, 'imds_cache_cache_lookups_total', { result: 'stale' })) >= 1);
  t.ok(
    (await metricValue(stack, 'imds_cache_refresh_failures_total', { reason: 'malformed' })) >= 3,
  );
  stack.sim.setFault({ kind: 'none' });
  stack.sim.rotateCredentials();
  if (stack.daemon.scheduler.nextRefreshAtMs() === undefined) await stack.nextOutcome();
  t.equal((await stack.runNextRefresh()).ok, true, 'recovers once the document is good again');
  t.equal((await stack.credentials()).body.AccessKeyId, stack.sim.currentCredentials().AccessKeyId);
});

t.test('a slow IMDS is cut off at the per-request timeout and retried', async (t) => {
  // A real (socket-level) deadline; generous enough that a loaded test machine answers in time.
  const stack = await startStack(t, { env: { IMDS_CACHE_IMDS_TIMEOUT_MS: '200' } });
  stack.sim.setFault({ kind: 'slow', delayMs: 5_000, paths: 'credentials', count: 1 });
  const outcome = await stack.runNextRefresh();
  t.equal(outcome.ok, true, 'the retry succeeded');
  const timeouts = await metricValue(stack, 'imds_cache_upstream_requests_total', {
    status: 'timeout',
  });
  t.ok(timeouts >= 1, 'the slow attempt timed out');
  t.equal(stack.sim.counters().byPath[CREDS_PATH], 1 + timeouts + 1, 'then one more attempt');
});

t.test('429 storm: bounded retries, the rate ceiling holds, callers get fast 503s', async (t) => {
  // random() = 0 turns backoff off: only the ceiling (2/s, burst 4) spaces the attempts.
  const stack = await startStack(t, {
    warm: false,
    random: () => 0,
    env: { IMDS_CACHE_UPSTREAM_MAX_ATTEMPTS: '10' },
    beforeStart: (sim) => sim.setFault({ kind: 'status', status: 429 }),
  });
  const first = await stack.credentials();
  t.equal(first.status, 503);
  t.equal(first.body.Code, 'credentials_unavailable');
  t.equal(stack.outcomes.at(-1)?.ok, false);
  t.equal(stack.sim.counters().total, 10, 'max attempts, then give up');
  // A minute of callers hammering the daemon, one second at a time.
  for (let second = 0; second < 60; second++) {
    const statuses = await Promise.all(
      Array.from({ length: 20 }, async () => (await stack.credentials()).status),
    );
    t.ok(statuses.every((s) => s === 503));
    stack.clock.advance(1_000);
    await new Promise((resolve) => setImmediate(resolve));
  }
  // Let any refresh still in flight finish before counting.
  if (stack.daemon.scheduler.nextRefreshAtMs() === undefined) await stack.nextOutcome();
  // Counted from before the daemon started: its warm-up already met the storm.
  const elapsedS = (stack.clock.now() - stack.startMs) / 1000;
  const calls = stack.sim.counters().total;
  t.ok(calls <= 4 + 2 * elapsedS, `${calls} IMDS calls in ${elapsedS}s is within 2/s + burst 4`);
  t.ok(calls >= 10, 'it did keep trying');
  stack.sim.setFault({ kind: 'none' });
  t.equal((await stack.runNextRefresh()).ok, true, 'recovers at the next retry');
  t.equal((await stack.credentials()).status, 200);
});

t.test('no secret reaches the log, whatever fails on the way', async (t) => {
  const stack = await startStack(t);
  const seen = [stack.sim.currentCredentials()];
  // Malformed documents that still carry key material, a role change, a throttled refresh.
  stack.sim.setFault({ kind: 'malformed', variant: 'code', paths: 'credentials', count: 1 });
  await stack.runNextRefresh();
  stack.sim.setRole('empdir-app-role-v2');
  await stack.runNextRefresh();
  seen.push(stack.sim.currentCredentials());
  stack.sim.setFault({ kind: 'status', status: 429 });
  await stack.runNextRefresh();
  stack.sim.setFault({ kind: 'none' });
  await stack.get('/v1/credentials', { Authorization: `${stack.token}0` });
  await stack.credentials();
  const log = stack.logLines.join('');
  t.match(log, /"msg":"credential refresh failed"/);
  t.match(log, /"reason":"malformed"/);
  t.match(log, /"reason":"throttled"/);
  for (const doc of seen) {
    t.notOk(log.includes(doc.SecretAccessKey), 'no SecretAccessKey');
    t.notOk(log.includes(doc.Token), 'no session Token');
  }
  t.notOk(log.includes(stack.token), 'no token file content');
  const sessionTokens = stack.sim.issuedSessionTokens();
  t.ok(sessionTokens.length > 0, 'IMDS handed out session tokens');
  for (const sessionToken of sessionTokens) {
    t.notOk(log.includes(sessionToken), 'no IMDS session token (X-aws-ec2-metadata-token)');
  }
});
