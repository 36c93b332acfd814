import { CredentialsFormatError, type ImdsCredentials } from '@empdir/shared';
import t from 'tap';
import {
  CredentialCache,
  type CredentialCacheOptions,
  type CredentialSource,
  type RefreshOutcome,
} from './credential-cache.js';
import { CredentialsUnavailableError, ImdsRequestError, RoleNotFoundError } from './errors.js';
import { FakeClock } from './fake-clock.js';
import { createLogger } from './log.js';
import { createMetrics } from './metrics.js';
import { imdsDoc } from './upstream.fixture.js';

const HOUR = 3_600_000;

/** A credential source whose answers the test decides, call by call. */
class FakeSource implements CredentialSource {
  toLocalMs?: (imdsMs: number) => number;
  roleCalls = 0;
  credentialCalls: string[] = [];
  role = 'app-role';
  next: (role: string) => Promise<ImdsCredentials>;

  constructor(readonly clock: FakeClock) {
    this.next = async () => imdsDoc(clock.now());
  }

  async roleName(): Promise<string> {
    this.roleCalls += 1;
    return this.role;
  }

  credentials(role: string): Promise<ImdsCredentials> {
    this.credentialCalls.push(role);
    if (role !== this.role) return Promise.reject(new RoleNotFoundError(role));
    return this.next(role);
  }
}

function setup(overrides: Partial<CredentialCacheOptions> = {}) {
  const clock = new FakeClock({ startMs: Date.UTC(2026, 0, 1) });
  const source = new FakeSource(clock);
  const metrics = createMetrics();
  const outcomes: RefreshOutcome[] = [];
  const lines: string[] = [];
  const log = createLogger({
    level: 'debug',
    destination: { write: (l: string) => lines.push(l) },
  });
  const logs = (msg: string) => lines.filter((line) => line.includes(msg));
  const cache = new CredentialCache({
    source,
    clock,
    ttlMs: 120_000,
    minRemainingMs: 15 * 60_000,
    serveFloorMs: 60_000,
    random: () => 0.5,
    metrics,
    log,
    ...overrides,
  });
  cache.onRefresh((outcome) => outcomes.push(outcome));
  const lookups = async () => {
    const json = await metrics.registry.getSingleMetric('imds_cache_cache_lookups_total')?.get();
    return Object.fromEntries((json?.values ?? []).map((v) => [v.labels.result, v.value]));
  };
  return { clock, source, cache, metrics, outcomes, lookups, logs };
}

const never = () => new Promise<ImdsCredentials>(() => undefined);
const failing = () => Promise.reject(new ImdsRequestError('status', '/x', 503));

t.test('cold: the first caller waits for one fetch; warm callers never go upstream', async (t) => {
  const { cache, source, lookups } = setup();
  const first = await cache.get();
  t.equal(first.role, 'app-role');
  for (let i = 0; i < 50; i++) t.equal(await cache.get(), first);
  t.equal(source.roleCalls, 1);
  t.same(source.credentialCalls, ['app-role']);
  t.same(await lookups(), { miss: 1, hit: 50 });
});

t.test('1000 concurrent cold callers share exactly one upstream fetch', async (t) => {
  const { cache, source } = setup();
  let release: (doc: ImdsCredentials) => void = () => undefined;
  source.next = () => new Promise((resolve) => (release = resolve));
  const callers = Array.from({ length: 1000 }, () => cache.get());
  await new Promise((resolve) => setImmediate(resolve));
  release(imdsDoc(source.clock.now()));
  const results = await Promise.all(callers);
  t.equal(source.roleCalls, 1);
  t.equal(source.credentialCalls.length, 1);
  t.equal(new Set(results).size, 1, 'everyone got the same credentials');
});

t.test('past the TTL the held credentials are served at once and one refresh starts', async (t) => {
  const { cache, source, clock, lookups } = setup();
  const held = await cache.get();
  clock.advance(120_001);
  source.next = never;
  t.equal(await cache.get(), held, 'no waiting on IMDS');
  t.equal(await cache.get(), held);
  t.equal(source.credentialCalls.length, 2, 'one background refresh for both callers');
  t.same(await lookups(), { miss: 1, stale: 2 });
});

t.test('credentials running low trigger a refresh before the TTL ends', async (t) => {
  const { cache, source, clock } = setup();
  source.next = async () => imdsDoc(clock.now(), 14 * 60_000);
  await cache.get();
  const fresh = imdsDoc(clock.now(), 6 * HOUR);
  source.next = async () => fresh;
  await cache.get();
  t.equal(source.credentialCalls.length, 1, 'not again at once: at most 4 refreshes per TTL');
  clock.advance(30_000);
  await cache.get();
  t.equal(source.credentialCalls.length, 2, 'refresh started although still inside the TTL');
  await new Promise((resolve) => setImmediate(resolve));
  t.equal((await cache.get()).document.AccessKeyId, fresh.AccessKeyId);
});

t.test('strict: serve the last good ones down to the floor, never past it', async (t) => {
  const { cache, source, clock, outcomes } = setup({ staticStability: 'strict' });
  source.next = async () => imdsDoc(clock.now(), HOUR);
  const held = await cache.get();
  source.next = failing;
  // IMDS is down for far longer than the TTL: callers still get the held credentials.
  clock.advance(HOUR - 60_000 - 1);
  t.equal(await cache.get(), held);
  t.equal(cache.peek(), held);
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(outcomes.at(-1)?.ok, false, 'the refresh failed meanwhile');
  clock.advance(1);
  t.equal(cache.peek(), undefined, 'at the floor: not servable');
  await t.rejects(cache.get(), CredentialsUnavailableError);
  clock.advance(2 * HOUR);
  await t.rejects(cache.get(), { status: 503, code: 'credentials_unavailable' });
});

t.test(
  'extend (default): past the floor the same keys are served, Expiration now + 5-10 min',
  async (t) => {
    const { cache, source, clock, metrics, logs } = setup({ random: () => 0.25 });
    source.next = async () => imdsDoc(clock.now(), HOUR);
    const held = await cache.get();
    source.next = failing;
    clock.advance(HOUR - 60_000);
    const extended = await cache.get();
    t.equal(extended.document.AccessKeyId, held.document.AccessKeyId, 'the same keys');
    t.equal(extended.document.SecretAccessKey, held.document.SecretAccessKey);
    t.equal(extended.original, held);
    // 5 min + 0.25 × 5 min from now.
    t.equal(Date.parse(extended.document.Expiration), clock.now() + 375_000);
    t.equal(extended.expiresAtMs, clock.now() + 375_000);
    t.equal(cache.peek(), extended, 'one extension, reused while it is above the floor');
    t.match(await metrics.registry.metrics(), /imds_cache_serving_extended 1/);
    t.match(
      await metrics.registry.metrics(),
      new RegExp(
        `imds_cache_credentials_original_expiry_timestamp_seconds ${Date.parse(held.document.Expiration) / 1000}`,
      ),
    );
    t.equal(logs('serving the last credentials').length, 1, 'one warning per extension');
    // Long past the original expiry, IMDS still down: a new extension each time one runs low.
    clock.advance(375_000 - 60_000);
    const again = cache.peek();
    t.not(again, extended);
    t.equal(again?.document.AccessKeyId, held.document.AccessKeyId);
    t.equal(again?.expiresAtMs, clock.now() + 375_000);
    clock.advance(6 * HOUR);
    t.equal((await cache.get()).document.AccessKeyId, held.document.AccessKeyId);
    t.equal(logs('serving the last credentials').length, 3);
    // IMDS is back: the new credentials replace the extension and the gauge drops.
    await new Promise((resolve) => setImmediate(resolve));
    source.next = async () => imdsDoc(clock.now(), HOUR);
    clock.advance(60_000);
    const fresh = await cache.refresh();
    t.equal(cache.peek(), fresh);
    t.equal(fresh.original, undefined);
    t.match(await metrics.registry.metrics(), /imds_cache_serving_extended 0/);
    t.match(
      await metrics.registry.metrics(),
      new RegExp(`imds_cache_last_successful_refresh_timestamp_seconds ${clock.now() / 1000}`),
    );
  },
);

t.test('extension jitter differs per extension (a fleet does not come back at once)', async (t) => {
  const draws = [0.1, 0.9];
  const { cache, source, clock } = setup({ random: () => draws.shift() ?? 0.5 });
  source.next = async () => imdsDoc(clock.now(), HOUR);
  await cache.get();
  source.next = failing;
  clock.advance(HOUR - 60_000);
  t.equal(cache.peek()?.expiresAtMs, clock.now() + 330_000);
  clock.advance(330_000 - 60_000);
  t.equal(cache.peek()?.expiresAtMs, clock.now() + 570_000);
});

t.test(
  'IMDS hands out an already-expired document: a failed refresh, backoff, the held ones stay',
  async (t) => {
    const { cache, source, clock, outcomes, metrics } = setup();
    const held = await cache.get();
    const expired = imdsDoc(clock.now() - 2 * HOUR, HOUR);
    source.next = async () => expired;
    clock.advance(120_001);
    await t.rejects(cache.refresh(), { name: 'ExpiredCredentialsError' });
    const failed = outcomes.at(-1);
    t.equal(failed?.ok, false, 'counted as a failure, not a success');
    if (failed?.ok === false) t.ok(failed.retryAtMs > clock.now(), 'with a retry time (backoff)');
    t.equal(cache.peek(), held, 'the good credentials are kept, not replaced');
    t.match(
      await metrics.registry.metrics(),
      /imds_cache_refresh_failures_total\{reason="expired_document"\} 1/,
    );
    // Inside the floor counts the same: 30 s left is not servable.
    source.next = async () => imdsDoc(clock.now(), 30_000);
    clock.advance(60_000);
    await t.rejects(cache.refresh(), { name: 'ExpiredCredentialsError' });
    const calls = source.credentialCalls.length;
    for (let i = 0; i < 100; i++) cache.getNow();
    t.equal(source.credentialCalls.length, calls, 'lookups inside the backoff go nowhere');
  },
);

t.test(
  'near expiry IMDS keeps returning the same document: at most 4 lookup refreshes per TTL',
  async (t) => {
    const { cache, source, clock } = setup();
    // 10 min left (under the 15 min refresh-early mark), and IMDS never rotates it.
    const same = imdsDoc(clock.now(), 10 * 60_000);
    source.next = async () => same;
    await cache.get();
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    for (let second = 0; second < 120; second++) {
      for (let i = 0; i < 10; i++) cache.getNow();
      await settle();
      clock.advance(1_000);
    }
    // One TTL (120 s) of 10 lookups a second: refreshes 30, 60 and 90 s after the first fetch.
    t.equal(source.credentialCalls.length, 1 + 3);
  },
);

t.test('expiry is judged on IMDS time when the source corrects for clock skew', async (t) => {
  const clockAheadMs = 10 * 60_000;
  const { cache, source, clock } = setup();
  // The local clock is 10 min behind IMDS: a document with 8 min left looks like 18 min here.
  source.toLocalMs = (imdsMs) => imdsMs - clockAheadMs;
  source.next = async () => imdsDoc(clock.now() + clockAheadMs, 8 * 60_000);
  const held = await cache.get();
  t.equal(held.expiresAtMs, clock.now() + 8 * 60_000);
  source.next = async () => imdsDoc(clock.now(), 8 * 60_000);
  clock.advance(120_001);
  await t.rejects(cache.refresh(), { name: 'ExpiredCredentialsError' }, '-2 min on IMDS time');
});

t.test(
  'after a failure with nothing to serve, callers get a fast 503 until the retry time',
  async (t) => {
    const { cache, source, clock, outcomes } = setup();
    source.next = failing;
    await t.rejects(cache.get(), CredentialsUnavailableError);
    t.equal(source.credentialCalls.length, 1);
    const failed = outcomes.at(-1);
    if (failed?.ok !== false) throw new Error('expected a failed outcome');
    // random() = 0.5 and one failure: equal jitter, 1000 / 2 + 0.5 × 1000 / 2.
    t.equal(failed.retryAtMs - clock.now(), 750);
    await t.rejects(cache.get(), CredentialsUnavailableError);
    t.equal(source.credentialCalls.length, 1, 'no upstream call inside the retry window');
    clock.advance(750);
    source.next = async () => imdsDoc(clock.now());
    t.equal((await cache.get()).role, 'app-role', 'recovers as soon as IMDS answers');
    t.equal(source.credentialCalls.length, 2);
  },
);

t.test('a malformed document keeps the previous credentials', async (t) => {
  const { cache, source, clock, metrics } = setup();
  const held = await cache.get();
  source.next = () => Promise.reject(new CredentialsFormatError('malformed', ['Code: bad']));
  await t.rejects(cache.refresh(), CredentialsFormatError);
  clock.advance(200_000);
  t.equal((await cache.get()).document.AccessKeyId, held.document.AccessKeyId);
  t.match(
    await metrics.registry.metrics(),
    /imds_cache_refresh_failures_total\{reason="malformed"\} 1/,
  );
});

t.test('a role change is followed: 404 on the old role, look up, fetch the new one', async (t) => {
  const { cache, source } = setup();
  const before = await cache.get();
  source.role = 'new-role';
  const after = await cache.refresh();
  t.equal(after.role, 'new-role');
  t.not(after.document.AccessKeyId, before.document.AccessKeyId);
  t.same(source.credentialCalls, ['app-role', 'app-role', 'new-role']);
  t.equal(source.roleCalls, 2);
  t.equal((await cache.get()).role, 'new-role');
});

t.test('a configured role name skips the lookup, and a 404 for it is an error', async (t) => {
  const { cache, source } = setup({ roleName: 'app-role' });
  await cache.get();
  t.equal(source.roleCalls, 0);
  source.role = 'other';
  await t.rejects(cache.refresh(), RoleNotFoundError);
  t.equal(source.roleCalls, 0);
});

t.test(
  'getNow (strict): undefined while cold, the held entry once warm, never past the floor',
  async (t) => {
    const { cache, source, clock, lookups } = setup({ staticStability: 'strict' });
    t.equal(cache.getNow(), undefined, 'cold: the caller must wait in get()');
    t.same(source.credentialCalls, [], 'getNow never goes upstream while cold');
    source.next = async () => imdsDoc(clock.now(), HOUR);
    const held = await cache.get();
    t.equal(cache.getNow(), held);
    clock.advance(120_001);
    source.next = never;
    t.equal(cache.getNow(), held, 'stale but valid: served at once');
    t.equal(source.credentialCalls.length, 2, 'and a background refresh started');
    clock.advance(HOUR - 60_000 - 120_001);
    t.equal(cache.getNow(), undefined, 'at the floor: never served');
    t.same(await lookups(), { miss: 1, hit: 1, stale: 1 });
  },
);

t.test('a failure episode warns once, logs the rest at debug, and its end once', async (t) => {
  const { cache, source, clock, logs, metrics } = setup();
  await cache.get();
  source.next = failing;
  for (let i = 0; i < 5; i++) {
    clock.advance(60_000);
    await t.rejects(cache.refresh());
  }
  t.equal(logs('"msg":"credential refresh failed"').length, 1);
  t.equal(logs('"msg":"credential refresh failed again"').length, 4);
  t.match(
    await metrics.registry.metrics(),
    /imds_cache_refresh_failures_total\{reason="upstream_5xx"\} 5/,
  );
  source.next = async () => imdsDoc(clock.now());
  clock.advance(60_000);
  await cache.refresh();
  t.match(logs('credential refresh recovered'), [/"failures":5,"failingForSeconds":300/]);
  source.next = failing;
  clock.advance(60_000);
  await t.rejects(cache.refresh());
  t.equal(logs('"msg":"credential refresh failed"').length, 2, 'a new episode warns again');
});
