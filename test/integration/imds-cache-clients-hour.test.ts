// Issue 11: each scoped-role client's AssumeRole calls have a fixed bound per hour, set by its
// session length and the scheduler's timing, however many lookups arrive. Two simulated hours on
// an injected clock, AssumeRole over real HTTP to the STS stand-in (test/load/client-hours.mjs).
import t from 'tap';

interface ClientHoursClient {
  name: string;
  assumeRole: { total: number; maxInAnyHour: number };
  assumeRoleFailed: number;
  refreshGapMs: { min: number; max: number };
  boundTotal: number;
  boundPerHour: number;
  lookups: number;
  lookupFailures: number;
}
interface ClientHours {
  clients: ClientHoursClient[];
  imdsCalls: { total: number };
  stsRequestsRefused: number;
}
type Simulate = (plan: { hours: number; lookupsPerSecond: number }) => Promise<ClientHours>;

const { simulateClientHours } = (await import(
  new URL('../load/client-hours.mjs', import.meta.url).href
)) as { simulateClientHours: Simulate };

const hours = 2;
const slow = await simulateClientHours({ hours, lookupsPerSecond: 10 });
const fast = await simulateClientHours({ hours, lookupsPerSecond: 100 });

for (const [label, run, perSecond] of [
  ['10 lookups/s', slow, 10],
  ['100 lookups/s', fast, 100],
] as const) {
  t.test(`${label}: AssumeRole per client within the scheduler's bound`, async (t) => {
    t.equal(run.stsRequestsRefused, 0, 'STS accepted every request');
    for (const c of run.clients) {
      t.equal(c.lookups, hours * 3600 * perSecond, `${c.name}: every lookup made`);
      t.equal(c.lookupFailures, 0, `${c.name}: every lookup answered`);
      t.equal(c.assumeRoleFailed, 0, `${c.name}: no AssumeRole refused`);
      t.ok(
        c.assumeRole.total <= c.boundTotal,
        `${c.name}: ${c.assumeRole.total} AssumeRole in ${hours} h (bound ${c.boundTotal})`,
      );
      t.ok(
        c.assumeRole.maxInAnyHour <= c.boundPerHour,
        `${c.name}: at most ${c.assumeRole.maxInAnyHour} in an hour (bound ${c.boundPerHour})`,
      );
      // Renewed on schedule, never let lapse: at least one call per longest refresh gap.
      t.ok(
        c.assumeRole.total >= 1 + Math.floor((hours * 3_600_000) / c.refreshGapMs.max),
        `${c.name}: refreshed on schedule`,
      );
    }
  });
}

t.test('ten times the lookups, the same AssumeRole and IMDS calls', async (t) => {
  for (const [i, c] of slow.clients.entries()) {
    const other = fast.clients[i];
    t.ok(other);
    // The scheduler's jitter may move a call across the horizon, never more than one.
    t.ok(
      Math.abs((other?.assumeRole.total ?? 0) - c.assumeRole.total) <= 1,
      `${c.name}: ${c.assumeRole.total} vs ${other?.assumeRole.total}`,
    );
  }
  t.ok(fast.imdsCalls.total <= slow.imdsCalls.total + 2, 'IMDS calls do not grow with lookups');
});
