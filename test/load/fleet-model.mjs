// `npm run bench:fleet`: how many sts:AssumeRole calls per second a fleet of imds-cache daemons
// makes (10-100,000 instances × 1-10 clients), in steady state and after a fleet-wide restart,
// against STS's default request quota. Simulated time only; runs in well under a minute.

import { fleetMarkdown } from './fleet-report.mjs';
import { seededRandom, verifyAgainstScheduler } from './fleet-schedule.mjs';
import { simulateFleet } from './fleet-simulate.mjs';
import { simulateThrottledRestart } from './fleet-throttled.mjs';
import { machine, writeResults } from './report.mjs';

const STS_QUOTA = {
  requestsPerSecond: 600,
  scope:
    'per account per Region, shared by AssumeRole, GetCallerIdentity, GetSessionToken, ' +
    'GetFederationToken, DecodeAuthorizationMessage and GetAccessKeyInfo (adjustable)',
  source:
    'AWS IAM User Guide, "IAM and AWS STS quotas", AWS STS request quotas ' +
    '(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html), looked up 2026-11-30',
};
const QUOTA = STS_QUOTA.requestsPerSecond;
const DURATION_MS = 3_600_000; // what role chaining allows, and the clients file's default
const TIMINGS = [
  {
    name: 'instance-role timing reused',
    detail: 'TTL 120 s, refresh when < 15 min left (IMDS_CACHE_TTL_MS / MIN_REMAINING_MS defaults)',
    timing: { ttlMs: 120_000, minRemainingMs: 900_000 },
  },
  {
    name: 'STS-sized timing',
    detail: 'TTL 3600 s, refresh when < 15 min left (refresh 33-39 min after each call)',
    timing: { ttlMs: 3_600_000, minRemainingMs: 900_000 },
  },
];
const INSTANCES = [10, 100, 1_000, 10_000, 100_000];
const CLIENTS = [1, 3, 10];
const EVENT_BUDGET = 4_000_000;
const started = performance.now();

const verification = [];
for (const [i, t] of TIMINGS.entries()) {
  const random = seededRandom(42 + i);
  const startsMs = Array.from({ length: 150 }, () => Math.floor(random() * 60_000));
  const horizonMs = t.timing.ttlMs < 600_000 ? 2 * 3_600_000 : 12 * 3_600_000;
  const check = await verifyAgainstScheduler({
    timing: t.timing,
    durationMs: DURATION_MS,
    startsMs,
    horizonMs,
    seed: 1_000 + i,
  });
  verification.push({ timing: t.name, horizonHours: horizonMs / 3_600_000, ...check });
  if (check.mismatched > 0) {
    console.error(`the model disagrees with RefreshScheduler for ${check.mismatched} clients`);
    process.exit(1);
  }
}

const results = TIMINGS.map((t, i) => {
  const rows = CLIENTS.map((clients) => {
    const common = {
      timing: t.timing,
      durationMs: DURATION_MS,
      clientsPerInstance: clients,
      instanceSizes: INSTANCES,
      eventBudget: EVENT_BUDGET,
      quotaPerSecond: QUOTA,
    };
    const seed = 17 + 100 * i + clients;
    const steady = simulateFleet({ ...common, scenario: 'steady', horizonMs: 3_600_000, seed });
    const restart = simulateFleet({
      ...common,
      scenario: 'restart',
      horizonMs: 12 * 3_600_000,
      seed,
    });
    return { clients, steady: steady.stats, restart: restart.stats };
  });
  return { ...t, rows };
});

/** Fleet size (clients) at which a per-client rate reaches the quota. */
const clientsAtQuota = (/** @type {number} */ perClient) => Math.ceil(QUOTA / perClient);
const summaries = results.map((r) => {
  const big = r.rows.find((row) => row.clients === 10);
  const steady = big?.steady.find((s) => s.instances === 100_000);
  const restart = big?.restart.find((s) => s.instances === 100_000);
  if (!steady || !restart) throw new Error('missing the largest fleet');
  const fleet = 100_000 * 10;
  const later = Math.max(...restart.hourly.slice(1).map((h) => h.peakPerSecond));
  return {
    timing: r.name,
    perClientMeanPerHour: (steady.meanPerSecond / fleet) * 3600,
    clientsAtQuota: {
      mean: clientsAtQuota(steady.meanPerSecond / fleet),
      steadyPeak: clientsAtQuota(steady.peakPerSecond / fleet),
      restartBurst: clientsAtQuota(restart.firstMinutesPeak / fleet),
      afterRestartHours2to12: clientsAtQuota(later / fleet),
    },
    synchronisation: {
      steadyMinutePeakToMean: steady.hourly[0]?.minutePeakToMean,
      afterRestart: restart.hourly.map((h) => ({
        hour: h.hour,
        minutePeakToMean: h.minutePeakToMean,
      })),
    },
  };
});

const throttled = [36_000, 100_000, 300_000, 1_000_000].map((fleetClients) =>
  simulateThrottledRestart({
    timing: TIMINGS[1]?.timing ?? { ttlMs: 3_600_000, minRemainingMs: 900_000 },
    durationMs: DURATION_MS,
    fleetClients,
    sampleClients: 20_000,
    quotaPerSecond: QUOTA,
    horizonMs: 3 * 3_600_000,
    seed: 5,
  }),
);

const elapsedSeconds = (performance.now() - started) / 1000;
const data = {
  machine: machine(),
  stsQuota: STS_QUOTA,
  durationMs: DURATION_MS,
  eventBudget: EVENT_BUDGET,
  elapsedSeconds,
  verification,
  summaries,
  throttled,
  results,
};
const markdown = fleetMarkdown({
  ...data,
  quota: QUOTA,
  instances: INSTANCES,
  cores: data.machine.cores,
});
writeResults('fleet', data, markdown);
