import type { ImdsCredentials } from '@empdir/shared';
import t from 'tap';
import { CredentialCache, type HeldCredentials } from './credential-cache.js';
import { ImdsRequestError } from './errors.js';
import { FakeClock } from './fake-clock.js';
import { RefreshScheduler, refreshDueAtMs } from './refresh-scheduler.js';
import { imdsDoc } from './upstream.fixture.js';

const timing = { ttlMs: 120_000, minRemainingMs: 15 * 60_000 };
const held = (fetchedAtMs: number, lifetimeMs: number): HeldCredentials => ({
  role: 'r',
  document: imdsDoc(fetchedAtMs, lifetimeMs),
  fetchedAtMs,
  expiresAtMs: fetchedAtMs + lifetimeMs,
});

t.test('due time: ahead of the TTL by a jittered 10-20% of it', async (t) => {
  const h = held(0, 6 * 3_600_000);
  t.equal(
    refreshDueAtMs(h, timing, () => 0),
    108_000,
  );
  t.equal(
    refreshDueAtMs(h, timing, () => 0.5),
    102_000,
  );
  t.equal(
    refreshDueAtMs(h, timing, () => 0.999999),
    96_001,
  );
});

t.test(
  'due time: credentials with less than the minimum left refresh early, but not in a spin',
  async (t) => {
    t.equal(
      refreshDueAtMs(held(0, 16 * 60_000), timing, () => 0),
      48_000,
      '1 min before 15 min left, minus lead',
    );
    t.equal(
      refreshDueAtMs(held(0, 10 * 60_000), timing, () => 0),
      30_000,
      'at most 4 per TTL',
    );
  },
);

function setup() {
  const clock = new FakeClock({ startMs: Date.UTC(2026, 0, 1) });
  const calls: number[] = [];
  let next: () => Promise<ImdsCredentials> = async () => imdsDoc(clock.now());
  const cache = new CredentialCache({
    source: {
      roleName: async () => 'r',
      credentials: () => {
        calls.push(clock.now());
        return next();
      },
    },
    clock,
    ttlMs: timing.ttlMs,
    minRemainingMs: timing.minRemainingMs,
    serveFloorMs: 60_000,
    random: () => 0,
  });
  const scheduler = new RefreshScheduler({ cache, clock, timing, random: () => 0 });
  const settled = () => new Promise((resolve) => cache.onRefresh(resolve));
  return {
    clock,
    cache,
    scheduler,
    calls,
    settled,
    setNext: (fn: typeof next) => {
      next = fn;
    },
  };
}

t.test(
  'warms up at start, then refreshes ahead of the TTL, forever, without callers',
  async (t) => {
    const { clock, cache, scheduler, calls, settled } = setup();
    const start = clock.now();
    scheduler.start();
    await settled();
    t.same(calls, [start], 'one fetch at start');
    t.equal(scheduler.nextRefreshAtMs(), start + 108_000);
    clock.advance(107_999);
    t.equal(calls.length, 1);
    const second = settled();
    clock.advance(1);
    await second;
    t.same(calls, [start, start + 108_000]);
    t.ok(cache.peek(), 'still warm');
    const third = settled();
    clock.advance(108_000);
    await third;
    t.equal(calls.length, 3);
    scheduler.stop();
    clock.advance(10 * 60_000);
    t.equal(calls.length, 3, 'stopped: no more refreshes');
    t.equal(clock.pendingTimers(), 0);
  },
);

t.test('rotated credentials are picked up before the old ones expire', async (t) => {
  const { clock, cache, scheduler, settled, setNext } = setup();
  setNext(async () => imdsDoc(clock.now(), 20 * 60_000));
  scheduler.start();
  await settled();
  const old = cache.peek();
  const rotated = imdsDoc(clock.now(), 6 * 3_600_000);
  setNext(async () => rotated);
  const refreshed = settled();
  clock.advance(scheduler.nextRefreshAtMs()! - clock.now());
  await refreshed;
  t.equal(cache.peek()?.document.AccessKeyId, rotated.AccessKeyId);
  t.ok(
    clock.now() < (old?.expiresAtMs ?? 0) - 15 * 60_000 + 1,
    'with the old ones far from expiry',
  );
  scheduler.stop();
});

t.test(
  'after a failure the next try comes at the jittered retry time, and recovery re-arms',
  async (t) => {
    const { clock, cache, scheduler, calls, settled, setNext } = setup();
    setNext(() => Promise.reject(new ImdsRequestError('network', '/x')));
    scheduler.start();
    await settled();
    t.equal(scheduler.nextRefreshAtMs(), clock.now() + 500, 'floor of the full-jitter retry');
    setNext(async () => imdsDoc(clock.now()));
    const recovered = settled();
    clock.advance(500);
    await recovered;
    t.equal(calls.length, 2);
    t.ok(cache.peek());
    t.equal(scheduler.nextRefreshAtMs(), clock.now() + 108_000);
    scheduler.stop();
  },
);

t.test('stopped: no time is reported, and a refresh by someone else arms nothing', async (t) => {
  const { clock, cache, scheduler, calls, settled } = setup();
  scheduler.start();
  await settled();
  scheduler.stop();
  t.equal(scheduler.nextRefreshAtMs(), undefined);
  await cache.refresh();
  t.equal(clock.pendingTimers(), 0, 'no timer after a refresh the scheduler did not start');
  t.equal(scheduler.nextRefreshAtMs(), undefined);
  clock.advance(60 * 60_000);
  t.equal(calls.length, 2, 'only the two asked for');
});

t.test('a refresh started elsewhere re-arms the one timer: the old time is dropped', async (t) => {
  const { clock, cache, scheduler, calls, settled } = setup();
  const start = clock.now();
  scheduler.start();
  await settled();
  clock.advance(50_000);
  await cache.refresh();
  t.equal(scheduler.nextRefreshAtMs(), start + 50_000 + 108_000);
  t.equal(clock.pendingTimers(), 1, 'one timer, not two');
  clock.advance(108_000 - 50_000);
  t.equal(calls.length, 2, 'nothing at the first refresh time');
  scheduler.stop();
});

t.test('while its refresh runs, no next time is reported', async (t) => {
  const { clock, scheduler, settled, setNext } = setup();
  scheduler.start();
  await settled();
  setNext(() => new Promise<ImdsCredentials>(() => undefined));
  clock.advance(108_000);
  t.equal(scheduler.nextRefreshAtMs(), undefined);
  t.equal(clock.pendingTimers(), 0);
  scheduler.stop();
});
