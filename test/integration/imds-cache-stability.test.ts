// Static stability and clock skew, end to end: the daemon in-process against the IMDSv2
// simulator on one injected clock, clients through the real SDK provider or plain HTTP.
import { fromHttp } from '@aws-sdk/credential-providers';
import t from 'tap';
import { metricValue, startStack } from './imds-cache-harness.js';

const CREDS_PATH = '/latest/meta-data/iam/security-credentials/empdir-app-role';
const MIN = 60_000;

function sdkFor(stack: Awaited<ReturnType<typeof startStack>>) {
  return fromHttp({
    awsContainerCredentialsFullUri: `${stack.daemon.url}/v1/credentials`,
    awsContainerAuthorizationTokenFile: stack.daemon.tokenFile,
    maxRetries: 0,
  });
}

t.test(
  'IMDS hands out an already-expired document: a failed refresh with backoff; 30 SDK requests over 90 s all served',
  async (t) => {
    const stack = await startStack(t, { sim: { credentialLifetimeMs: 30 * MIN } });
    const held = stack.sim.currentCredentials();
    stack.sim.setFault({ kind: 'expired-document' });
    const outcome = await stack.runNextRefresh();
    t.equal(outcome.ok, false, 'an expired document is a failed refresh, not a success');
    const fetchesBefore = stack.sim.counters().byPath[CREDS_PATH] ?? 0;
    const sdk = sdkFor(stack);
    let failed = 0;
    for (let i = 0; i < 30; i++) {
      stack.clock.advance(3_000);
      const credentials = await sdk().catch(() => undefined);
      if (credentials?.accessKeyId !== held.AccessKeyId) failed += 1;
    }
    t.equal(failed, 0, 'every client request got the held credentials');
    t.ok(
      (await metricValue(stack, 'imds_cache_refresh_failures_total', {
        reason: 'expired_document',
      })) >= 2,
      'counted by reason',
    );
    const fetches = (stack.sim.counters().byPath[CREDS_PATH] ?? 0) - fetchesBefore;
    // Backoff 0.5-1, 1-2, 2-4, 4-8, 8-16, 15-30 s...: at most 8 tries in 90 s, whatever the load.
    t.ok(fetches <= 8, `${fetches} credential fetches in 90 s (backoff, not one per request)`);
    t.equal(
      stack.logLines.filter((line) => line.includes('"msg":"credential refresh failed"')).length,
      1,
      'one warning for the episode',
    );
  },
);

t.test(
  'near expiry IMDS keeps returning the same document: at most 4 refreshes per TTL',
  async (t) => {
    // 10 min left: under the 15 min refresh-early mark from the start, and never rotated.
    const stack = await startStack(t, { sim: { credentialLifetimeMs: 10 * MIN } });
    stack.sim.setFault({ kind: 'same-document' });
    const fetchesBefore = stack.sim.counters().byPath[CREDS_PATH] ?? 0;
    let failed = 0;
    for (let second = 0; second < 120; second++) {
      const statuses = await Promise.all(
        Array.from({ length: 5 }, async () => (await stack.credentials()).status),
      );
      failed += statuses.filter((status) => status !== 200).length;
      stack.clock.advance(1_000);
      await new Promise((resolve) => setImmediate(resolve));
    }
    t.equal(failed, 0);
    const fetches = (stack.sim.counters().byPath[CREDS_PATH] ?? 0) - fetchesBefore;
    // One TTL (120 s): the scheduler's bound, ttl / 4 apart, on the lookup path too.
    t.ok(fetches <= 4, `${fetches} credential fetches for 600 lookups in one TTL`);
    t.ok(fetches >= 3, 'it does keep asking');
  },
);

t.test(
  'extend (default): past the floor the SDK gets the same keys with Expiration now + 5-10 min; IMDS back, fresh ones',
  async (t) => {
    const stack = await startStack(t, { sim: { credentialLifetimeMs: 30 * MIN } });
    const held = stack.sim.currentCredentials();
    stack.sim.setFault({ kind: 'down' });
    stack.clock.advanceTo(Date.parse(held.Expiration) + 20 * MIN);
    const sdk = sdkFor(stack);
    for (let i = 0; i < 5; i++) {
      const credentials = await sdk();
      t.equal(credentials.accessKeyId, held.AccessKeyId);
      const leftMs = (credentials.expiration?.getTime() ?? 0) - stack.clock.now();
      // 5-10 min when made, reused until it is down to the floor, then made anew.
      t.ok(leftMs > stack.config.serveFloorMs && leftMs <= 10 * MIN, `${leftMs / 1000} s ahead`);
      stack.clock.advance(2 * MIN);
    }
    t.equal(await metricValue(stack, 'imds_cache_serving_extended'), 1);
    t.equal(
      await metricValue(stack, 'imds_cache_credentials_original_expiry_timestamp_seconds'),
      Date.parse(held.Expiration) / 1000,
    );
    t.ok(await metricValue(stack, 'imds_cache_last_successful_refresh_timestamp_seconds'));
    const ready = await fetch(`${stack.daemon.opsUrl}/readyz`);
    t.equal(ready.status, 200, 'still serving: ready');
    t.match(await ready.json(), { extended: true, originalExpiration: held.Expiration });
    t.ok(
      stack.logLines.some((line) => line.includes('static stability')),
      'a warning',
    );

    stack.sim.setFault({ kind: 'none' });
    stack.sim.rotateCredentials();
    t.equal((await stack.runNextRefresh()).ok, true);
    const fresh = await stack.credentials();
    t.equal(fresh.body.AccessKeyId, stack.sim.currentCredentials().AccessKeyId);
    t.equal(fresh.body.Expiration, stack.sim.currentCredentials().Expiration);
    t.equal(await metricValue(stack, 'imds_cache_serving_extended'), 0);
  },
);

t.test('clock skew: expiry judged on IMDS time (Date header), gauge and warning', async (t) => {
  const skewMs = 10 * MIN;
  const stack = await startStack(t, {
    sim: { credentialLifetimeMs: 30 * MIN },
    // The host's clock is 10 min behind IMDS from the first answer on.
    beforeStart: (sim) => sim.setFault({ kind: 'skewed-date', skewMs }),
  });
  const skew = await metricValue(stack, 'imds_cache_clock_skew_seconds');
  t.ok(Math.abs(skew - skewMs / 1000) <= 1, `clock_skew_seconds ${skew}`);
  // The document says 40 min from the host's now; on IMDS time it is 30.
  const left = await metricValue(stack, 'imds_cache_credentials_expiry_seconds');
  t.ok(Math.abs(left - 30 * 60) <= 2, `${left} s left on corrected time`);
  const ready = (await (await fetch(`${stack.daemon.opsUrl}/readyz`)).json()) as {
    expiresInSeconds: number;
  };
  t.ok(Math.abs(ready.expiresInSeconds - 30 * 60) <= 2);
  t.equal(stack.logLines.filter((line) => line.includes('more than 5 minutes off')).length, 1);
});

t.test(
  'slow token PUT (hop-limit symptom): bounded timeouts, no IMDSv1 fallback, recovers',
  async (t) => {
    const stack = await startStack(t, {
      warm: false,
      env: { IMDS_CACHE_IMDS_TIMEOUT_MS: '50' },
      beforeStart: (sim) => sim.setFault({ kind: 'slow-token', delayMs: 2_000 }),
    });
    await stack.daemon.warm;
    const counters = stack.sim.counters();
    t.equal(counters.byPath['/latest/api/token'], stack.config.upstreamMaxAttempts);
    t.equal(counters.total, stack.config.upstreamMaxAttempts, 'never a GET without a token');
    t.equal(
      await metricValue(stack, 'imds_cache_upstream_requests_total', { status: 'timeout' }),
      stack.config.upstreamMaxAttempts,
    );
    const refused = await stack.credentials();
    t.equal(refused.status, 503, 'nothing held yet: a fast 503');
    stack.sim.setFault({ kind: 'none' });
    t.equal((await stack.runNextRefresh()).ok, true);
    t.equal((await stack.credentials()).status, 200);
  },
);
