import t from 'tap';
import { parseConfig } from './config.js';
import { FakeClock } from './fake-clock.js';
import { imdsClientLimits } from './imds-client-limits.js';

t.test('the IMDS client limits come from the config keys', async (t) => {
  const clock = new FakeClock({ startMs: 1_000_000 });
  const config = parseConfig({
    IMDS_CACHE_UPSTREAM_MAX_RPS: '5',
    IMDS_CACHE_UPSTREAM_BURST: '3',
    IMDS_CACHE_UPSTREAM_MAX_ATTEMPTS: '2',
    IMDS_CACHE_IMDS_TOKEN_TTL_SECONDS: '600',
  });
  const limits = imdsClientLimits(config, clock);
  t.equal(limits.maxAttempts, 2);
  t.equal(limits.tokenTtlSeconds, 600);
  const taken = [1, 2, 3, 4].map(() => limits.ceiling.tryTake());
  t.same(taken, [true, true, true, false], 'a burst of 3');
  clock.advance(199);
  t.equal(limits.ceiling.tryTake(), false, 'not yet a token at 5 a second');
  clock.advance(1);
  t.equal(limits.ceiling.tryTake(), true, 'one token every 200 ms');
});
