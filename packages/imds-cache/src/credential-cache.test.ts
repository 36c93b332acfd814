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
import { createMetrics } from './metrics.js';
import { imdsDoc } from './upstream.fixture.js';

const HOUR = 3_600_000;

/** A credential source whose answers the test decides, call by call. */
class FakeSource implements CredentialSource {
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
  const cache = new CredentialCache({
    source,
    clock,
    ttlMs: 120_000,
    minRemainingMs: 15 * 60_000,
    serveFloorMs: 60_000,
    random: () => 0.5,
    metrics,
    ...overrides,
  });
  cache.onRefresh((outcome) => outcomes.push(outcome));
  const lookups = async () => {
    const json = await metrics.registry.getSingleMetric('imds_cache_cache_lookups_total')?.get();
    return Object.fromEntries((json?.values ?? []).map((v) => [v.labels.result, v.value]));
  };
  return { clock, source, cache, metrics, outcomes, lookups };
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
  t.equal(source.credentialCalls.length, 2, 'refresh started although still inside the TTL');
  await new Promise((resolve) => setImmediate(resolve));
  t.equal((await cache.get()).document.AccessKeyId, fresh.AccessKeyId);
});

t.test('static stability: serve the last good ones down to the floor, never past it', async (t) => {
  const { cache, source, clock, outcomes } = setup();
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
  'after a failure with nothing to serve, callers get a fast 503 until the retry time',
  async (t) => {
    const { cache, source, clock, outcomes } = setup();
    source.next = failing;
    await t.rejects(cache.get(), CredentialsUnavailableError);
    t.equal(source.credentialCalls.length, 1);
    const failed = outcomes.at(-1);
    if (failed?.ok !== false) throw new Error('expected a failed outcome');
    // random() = 0.5 and one failure: max(500, 0.5 * 1000).
    t.equal(failed.retryAtMs - clock.now(), 500);
    await t.rejects(cache.get(), CredentialsUnavailableError);
    t.equal(source.credentialCalls.length, 1, 'no upstream call inside the retry window');
    clock.advance(500);
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
  'getNow: undefined while cold, the held entry once warm, never past the floor',
  async (t) => {
    const { cache, source, clock, lookups } = setup();
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
