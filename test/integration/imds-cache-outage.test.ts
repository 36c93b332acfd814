// Static stability: IMDS goes away; the daemon keeps serving what it holds while it is still
// valid (beyond the floor); in strict mode it then answers 503, and recovers when IMDS is back
// (the default, extend, is in imds-cache-stability.test.ts).
import { fromHttp } from '@aws-sdk/credential-providers';
import t from 'tap';
import { metricValue, startStack } from './imds-cache-harness.js';

const LIFETIME_MS = 30 * 60_000;

t.test(
  'IMDS down for many TTLs: clients keep getting the held credentials, no errors',
  async (t) => {
    const stack = await startStack(t, { sim: { credentialLifetimeMs: LIFETIME_MS } });
    const sdk = fromHttp({
      awsContainerCredentialsFullUri: `${stack.daemon.url}/v1/credentials`,
      awsContainerAuthorizationTokenFile: stack.daemon.tokenFile,
      maxRetries: 0,
    });
    const held = stack.sim.currentCredentials();
    stack.sim.setFault({ kind: 'down' });
    const outageStartMs = stack.clock.now();
    while (stack.clock.now() < outageStartMs + 5 * stack.config.ttlMs) {
      t.equal((await stack.runNextRefresh()).ok, false);
      const credentials = await sdk();
      t.equal(credentials.accessKeyId, held.AccessKeyId);
      t.equal(credentials.expiration?.getTime(), Date.parse(held.Expiration));
    }
    t.ok((await metricValue(stack, 'imds_cache_cache_lookups_total', { result: 'stale' })) > 0);
    t.ok(
      (await metricValue(stack, 'imds_cache_refresh_failures_total', { reason: 'network' })) > 0,
    );
    t.equal((await fetch(`${stack.daemon.opsUrl}/readyz`)).status, 200, 'still ready');
  },
);

t.test(
  'strict: past the floor, 503 with a clear JSON error, never expired credentials; then recovery',
  async (t) => {
    const stack = await startStack(t, {
      sim: { credentialLifetimeMs: LIFETIME_MS },
      env: { IMDS_CACHE_STATIC_STABILITY: 'strict' },
    });
    const held = stack.sim.currentCredentials();
    const expiresAtMs = Date.parse(held.Expiration);
    stack.sim.setFault({ kind: 'down' });
    // Just above the floor: still served. The scheduler rests meanwhile: the refresh the jump would
    // set off fails, and its retry sleeps move this fake clock at once, past the floor on some draws.
    stack.daemon.scheduler.stop();
    stack.clock.advanceTo(expiresAtMs - stack.config.serveFloorMs - 1_000);
    t.equal((await stack.credentials()).body.AccessKeyId, held.AccessKeyId);
    stack.daemon.scheduler.start();
    // At the floor and beyond: refused, although the cache still holds them.
    stack.clock.advanceTo(expiresAtMs - stack.config.serveFloorMs);
    const refused = await stack.get('/v1/credentials');
    t.equal(refused.status, 503);
    t.equal(refused.headers.get('content-type'), 'application/json; charset=utf-8');
    t.ok(refused.headers.get('retry-after'));
    const body = (await refused.json()) as Record<string, unknown>;
    t.match(body, {
      Code: 'credentials_unavailable',
      Message: /no valid credentials/,
      code: 'credentials_unavailable',
      message: /no valid credentials/,
      error: { code: 'credentials_unavailable', requestId: String },
    });
    t.notMatch(JSON.stringify(body), held.AccessKeyId);
    t.equal((await fetch(`${stack.daemon.opsUrl}/readyz`)).status, 503, 'not ready');
    stack.clock.advance(LIFETIME_MS);
    t.equal((await stack.get('/v1/credentials')).status, 503, 'long after expiry: still 503');
    const sdkError = await fromHttp({
      awsContainerCredentialsFullUri: `${stack.daemon.url}/v1/credentials`,
      awsContainerAuthorizationTokenFile: stack.daemon.tokenFile,
      maxRetries: 0,
    })().catch((error: unknown) => error);
    t.type(sdkError, Error, 'the SDK sees an error, not expired credentials');

    // IMDS is back, with credentials it rotated meanwhile.
    stack.sim.setFault({ kind: 'none' });
    stack.sim.rotateCredentials();
    t.equal((await stack.runNextRefresh()).ok, true);
    const recovered = await stack.credentials();
    t.equal(recovered.status, 200);
    t.equal(recovered.body.AccessKeyId, stack.sim.currentCredentials().AccessKeyId);
    t.equal((await fetch(`${stack.daemon.opsUrl}/readyz`)).status, 200);
  },
);
