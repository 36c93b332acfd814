import t from 'tap';
import { FakeClock } from './fake-clock.js';
import { TokenBucket } from './token-bucket.js';

t.test('tryTake sheds beyond the burst and refills at the rate', async (t) => {
  const clock = new FakeClock({ startMs: 1_000_000 });
  const bucket = new TokenBucket({ ratePerSecond: 10, burst: 3, clock });
  t.same(
    [bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()],
    [true, true, true, false],
  );
  clock.advance(99);
  t.equal(bucket.tryTake(), false, 'not yet a whole token');
  clock.advance(1);
  t.equal(bucket.tryTake(), true);
  clock.advance(60_000);
  t.equal([1, 2, 3, 4].filter(() => bucket.tryTake()).length, 3, 'never more than the burst');
});

t.test(
  'take waits on the clock, first come first served, never faster than the rate',
  async (t) => {
    const clock = new FakeClock({ startMs: 0, autoAdvanceSleeps: true });
    const bucket = new TokenBucket({ ratePerSecond: 2, burst: 1, clock });
    const grants: Array<[number, number]> = [];
    await Promise.all(
      [0, 1, 2, 3, 4].map((i) => bucket.take().then(() => grants.push([i, clock.now()]))),
    );
    t.same(
      grants.map(([i]) => i),
      [0, 1, 2, 3, 4],
      'granted in arrival order',
    );
    t.same(
      grants.map(([, at]) => at),
      [0, 500, 1000, 1500, 2000],
      'one every 500 ms after the burst',
    );
  },
);

t.test('take rejects when its signal aborts', async (t) => {
  const clock = new FakeClock({ startMs: 0 });
  const bucket = new TokenBucket({ ratePerSecond: 1, burst: 1, clock });
  await bucket.take();
  const controller = new AbortController();
  const waiting = bucket.take(controller.signal);
  controller.abort(new Error('stop'));
  await t.rejects(waiting, { message: 'stop' });
  t.throws(() => new TokenBucket({ ratePerSecond: 0, burst: 1, clock }), RangeError);
});

t.test('bad options are refused with what is needed', async (t) => {
  const clock = new FakeClock({ startMs: 0 });
  for (const options of [
    { ratePerSecond: 0, burst: 1 },
    { ratePerSecond: 1, burst: 0.5 },
  ]) {
    t.throws(() => new TokenBucket({ ...options, clock }), {
      name: 'RangeError',
      message: 'a token bucket needs ratePerSecond > 0 and burst >= 1',
    });
  }
});

t.test('take waits only for the missing part of a token', async (t) => {
  const clock = new FakeClock({ startMs: 0, autoAdvanceSleeps: true });
  const bucket = new TokenBucket({ ratePerSecond: 1, burst: 1, clock });
  t.equal(bucket.tryTake(), true);
  clock.advance(400);
  await bucket.take();
  t.equal(clock.now(), 1_000, '0.4 of a token refilled: 600 ms more');
  t.equal(bucket.tryTake(), false, 'that token was taken');
});

t.test('take spends one token of a full burst at a time', async (t) => {
  const clock = new FakeClock({ startMs: 0, autoAdvanceSleeps: true });
  const bucket = new TokenBucket({ ratePerSecond: 1, burst: 3, clock });
  for (let i = 0; i < 3; i++) await bucket.take();
  t.equal(clock.now(), 0, 'three takes from a burst of three wait for nothing');
  t.equal(bucket.tryTake(), false);
});
