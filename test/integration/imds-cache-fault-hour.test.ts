// Issue 10: in every fault mode the daemon's IMDS calls have a fixed bound per hour, however many
// lookups arrive, and clients keep getting credentials (static stability). One simulated hour
// per mode on an injected clock (see test/support/fault-hour.js).
import t from 'tap';
import { FAULT_MODES, simulateFaultHour } from '../support/fault-hour.js';

for (const [name, fault] of Object.entries(FAULT_MODES)) {
  t.test(`${name}: IMDS calls within the hourly bound, no client lookup fails`, async (t) => {
    const hour = await simulateFaultHour({ fault, lookupsPerSecond: 10 });
    t.equal(hour.lookups, 36_000);
    t.ok(
      hour.upstreamCalls <= hour.bound,
      `${hour.upstreamCalls} IMDS calls in the hour (bound ${hour.bound})`,
    );
    t.ok(hour.upstreamCalls > 0, 'it kept trying');
    t.ok(
      hour.refreshes <= hour.successfulRefreshBound,
      `${hour.refreshes} successful refreshes: at most 4 per TTL`,
    );
    t.ok(
      hour.upstreamCalls <= (hour.refreshes + hour.failedRefreshes) * (hour.maxAttempts + 1),
      'at most maxAttempts + 1 calls per refresh',
    );
    t.equal(hour.failures, 0, 'every lookup was answered');
    t.ok(hour.failedRefreshes > 0, 'the fault was seen as failed refreshes');
    // The credentials expire 30 min in: the rest of the hour is served extended.
    t.ok(hour.extendedLookups > 0, 'served past their expiry, extended');
  });
}

t.test(
  'strict: the same hour of IMDS down leaves clients without credentials after the floor',
  async (t) => {
    const hour = await simulateFaultHour({
      fault: { kind: 'down' },
      env: { IMDS_CACHE_STATIC_STABILITY: 'strict' },
    });
    t.ok(hour.upstreamCalls <= hour.bound);
    t.equal(hour.extendedLookups, 0);
    t.ok(hour.failures >= 30 * 60 * 10, `${hour.failures} lookups failed`);
  },
);
