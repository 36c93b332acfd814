// The credential cache at its boundaries: exact TTL, floor, retry and refresh-ahead instants, and
// the role lookup after failures. Found by mutation testing (test/mutation/README.md).
import type { ImdsCredentials } from '@empdir/shared';
import t from 'tap';
import { CredentialCache, type CredentialCacheOptions } from './credential-cache.js';
import { ImdsRequestError, RoleNotFoundError } from './errors.js';
import { FakeClock } from './fake-clock.js';
import { createLogger } from './log.js';
import { createMetrics } from './metrics.js';
import { imdsDoc } from './upstream.fixture.js';

const MIN = 60_000;
const TTL = 120_000;

function setup(overrides: Partial<CredentialCacheOptions> = {}) {
  const clock = new FakeClock({ startMs: Date.UTC(2026, 0, 1) });
  const calls: number[] = [];
  let roleCalls = 0;
  let next: () => Promise<ImdsCredentials> = async () => imdsDoc(clock.now());
  const lines: string[] = [];
  const metrics = createMetrics();
  const cache = new CredentialCache({
    source: {
      roleName: async () => {
        roleCalls += 1;
        return 'app-role';
      },
      credentials: () => {
        calls.push(clock.now());
        return next();
      },
    },
    clock,
    ttlMs: TTL,
    minRemainingMs: 15 * MIN,
    serveFloorMs: MIN,
    random: () => 0.5,
    metrics,
    log: createLogger({ level: 'debug', destination: { write: (l: string) => lines.push(l) } }),
    ...overrides,
  });
  const lookups = async () => {
    const json = await metrics.registry.getSingleMetric('imds_cache_cache_lookups_total')?.get();
    return Object.fromEntries((json?.values ?? []).map((v) => [v.labels.result, v.value]));
  };
  return {
    clock,
    cache,
    calls,
    lookups,
    roleCalls: () => roleCalls,
    logs: (msg: string) => lines.filter((l) => l.includes(msg)).map((l) => JSON.parse(l)),
    setNext: (fn: typeof next) => {
      next = fn;
    },
    sinceStart: () => calls.map((ms) => ms - calls[0]!),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const failing = () => Promise.reject(new ImdsRequestError('status', '/x', 503));

t.test('at exactly the TTL an entry is stale: counted so, and a refresh starts', async (t) => {
  const { cache, clock, calls, lookups } = setup();
  const held = await cache.get();
  clock.advance(TTL);
  t.equal(cache.getNow(), held);
  t.equal(calls.length, 2, 'refresh started');
  t.same(await lookups(), { miss: 1, stale: 1 });
});

t.test('running low means strictly less than the minimum left', async (t) => {
  const { cache, clock, calls, setNext } = setup();
  // At the ttl/4 mark (30 s) exactly 15 min are left: not low yet, so no refresh.
  setNext(async () => imdsDoc(clock.now(), 15 * MIN + 30_000));
  await cache.get();
  clock.advance(30_000);
  cache.getNow();
  t.equal(calls.length, 1, 'exactly the minimum left: no refresh');
  clock.advance(1);
  cache.getNow();
  t.equal(calls.length, 2, '1 ms under it: refresh');
});

t.test('lookup refreshes near expiry come at exactly ttl/4 after each fetch', async (t) => {
  const { cache, clock, setNext, sinceStart } = setup();
  const same = imdsDoc(clock.now(), 10 * MIN);
  setNext(async () => same);
  await cache.get();
  for (let ms = 0; ms < TTL; ms += 1_000) {
    cache.getNow();
    await settle();
    clock.advance(1_000);
  }
  t.same(sinceStart(), [0, 30_000, 60_000, 90_000]);
});

t.test('a lookup at exactly the retry time refreshes; one before it does not', async (t) => {
  const { cache, clock, calls, setNext } = setup();
  await cache.get();
  setNext(failing);
  clock.advance(TTL + 1);
  await t.rejects(cache.refresh());
  // One failure, random 0.5: the retry comes 750 ms later.
  clock.advance(749);
  cache.getNow();
  t.equal(calls.length, 2);
  clock.advance(1);
  cache.getNow();
  t.equal(calls.length, 3);
});

t.test(
  'a refresh already running inside the retry window is waited for, not refused',
  async (t) => {
    const { cache, clock, setNext } = setup();
    setNext(failing);
    await t.rejects(cache.get());
    let release: (doc: ImdsCredentials) => void = () => undefined;
    setNext(() => new Promise((resolve) => (release = resolve)));
    const refreshing = cache.refresh();
    const waiting = cache.get();
    await settle();
    const doc = imdsDoc(clock.now());
    release(doc);
    await refreshing;
    t.equal((await waiting).document, doc);
  },
);

t.test('a success inside the retry window ends it at once', async (t) => {
  const { cache, clock, calls, setNext } = setup({ ttlMs: 400 });
  await cache.get();
  setNext(failing);
  clock.advance(401);
  await t.rejects(cache.refresh());
  setNext(async () => imdsDoc(clock.now()));
  await cache.refresh();
  // Stale again 401 ms later, still before the failed refresh's retry time (750 ms).
  clock.advance(401);
  cache.getNow();
  t.equal(calls.length, 4, 'the lookup refreshes: the old retry time no longer holds it back');
});

t.test('the first failure says whether held credentials are still being served', async (t) => {
  const served = setup();
  await served.cache.get();
  served.setNext(failing);
  await t.rejects(served.cache.refresh());
  t.match(served.logs('"msg":"credential refresh failed"'), [{ servingHeld: true }]);
  const cold = setup();
  cold.setNext(failing);
  await t.rejects(cold.cache.refresh());
  t.match(cold.logs('"msg":"credential refresh failed"'), [{ servingHeld: false }]);
});

t.test('an upstream failure other than 404 does not look the role up again', async (t) => {
  const { cache, setNext, roleCalls } = setup();
  await cache.get();
  setNext(failing);
  await t.rejects(cache.refresh(), ImdsRequestError);
  t.equal(roleCalls(), 1);
});

t.test('a 404 while the role lookup still names the same role: no second fetch', async (t) => {
  const { cache, calls, setNext, roleCalls } = setup();
  await cache.get();
  setNext(() => Promise.reject(new RoleNotFoundError('app-role')));
  await t.rejects(cache.refresh(), RoleNotFoundError);
  t.equal(roleCalls(), 2, 'looked up once more');
  t.equal(calls.length, 2, 'and not fetched again for the same role');
});

t.test('a role change is logged with both names', async (t) => {
  const clock = new FakeClock({ startMs: Date.UTC(2026, 0, 1) });
  let role = 'old-role';
  const lines: string[] = [];
  const cache = new CredentialCache({
    source: {
      roleName: async () => role,
      credentials: async (r) => {
        if (r !== role) throw new RoleNotFoundError(r);
        return imdsDoc(clock.now());
      },
    },
    clock,
    ttlMs: TTL,
    minRemainingMs: 15 * MIN,
    serveFloorMs: MIN,
    log: createLogger({ level: 'info', destination: { write: (l: string) => lines.push(l) } }),
  });
  await cache.get();
  role = 'new-role';
  await cache.refresh();
  const changed = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'role changed');
  t.match(changed, [{ from: 'old-role', to: 'new-role' }]);
});

t.test('a document with exactly the floor left is refused, with the seconds left', async (t) => {
  const { cache, clock, setNext } = setup({ serveFloorMs: MIN });
  setNext(async () => imdsDoc(clock.now(), MIN));
  await t.rejects(cache.refresh(), { name: 'ExpiredCredentialsError', secondsLeft: 60 });
  setNext(async () => imdsDoc(clock.now(), MIN + 1_000));
  t.ok(await cache.refresh(), 'one second more is accepted');
  setNext(async () => imdsDoc(clock.now() - 3 * MIN, MIN));
  clock.advance(TTL + 1);
  await t.rejects(cache.refresh(), { name: 'ExpiredCredentialsError', secondsLeft: -120 });
});

t.test('the retry wait doubles with each failure in a row', async (t) => {
  const { cache, clock, setNext } = setup();
  const retries: number[] = [];
  cache.onRefresh((o) => {
    if (!o.ok) retries.push(o.retryAtMs - clock.now());
  });
  setNext(failing);
  for (let i = 0; i < 3; i++) {
    await t.rejects(cache.refresh());
    clock.advance(retries.at(-1) ?? 0);
  }
  // random 0.5: 3/4 of 1 s, 2 s, 4 s.
  t.same(retries, [750, 1_500, 3_000]);
});
