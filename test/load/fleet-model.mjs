// `npm run bench:fleet`: how many sts:AssumeRole calls per second a fleet of imds-cache daemons
// makes (10-100,000 instances × 1-10 clients), in steady state and after a fleet-wide restart,
// against STS's default request quota. Simulated time only; runs in well under a minute.

import { seededRandom, verifyAgainstScheduler } from './fleet-schedule.mjs';
import { simulateFleet } from './fleet-simulate.mjs';
import { fmt, machine, markdownTable, writeResults } from './report.mjs';

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

const flag = (/** @type {number} */ v) => (v > QUOTA ? `**${fmt(v)}**` : fmt(v));
const sections = results.map((r, i) => {
  const tableRows = r.rows.flatMap((row) =>
    INSTANCES.map((instances) => {
      const s = row.steady.find((x) => x.instances === instances);
      const x = row.restart.find((y) => y.instances === instances);
      const hour = (/** @type {number} */ h) => x?.hourly[h - 1];
      return [
        fmt(instances),
        row.clients,
        fmt(instances * row.clients),
        s?.meanPerSecond,
        flag(s?.peakPerSecond ?? 0),
        flag(x?.firstMinutesPeak ?? 0),
        flag(hour(2)?.peakPerSecond ?? 0),
        flag(hour(12)?.peakPerSecond ?? 0),
        hour(12)?.minutePeakToMean,
        s?.method === 'exact' && x?.method === 'exact' ? 'exact' : (x?.method ?? ''),
      ];
    }),
  );
  const sum = summaries[i];
  const sync = sum?.synchronisation.afterRestart
    .filter((h) => [1, 2, 6, 12].includes(h.hour))
    .map((h) => `hour ${h.hour}: ${fmt(h.minutePeakToMean)}`)
    .join(', ');
  const at = sum?.clientsAtQuota;
  return [
    `### ${r.name}: ${r.detail}`,
    '',
    markdownTable(
      [
        'Instances',
        'Clients each',
        'Clients',
        'Mean calls/s',
        'Peak/s steady',
        'Peak/s restart, first 2 min',
        'Peak/s hour 2',
        'Peak/s hour 12',
        'Minute peak/mean hour 12',
        'Method',
      ],
      tableRows,
    ),
    '',
    `Per client: ${fmt(sum?.perClientMeanPerHour ?? 0)} AssumeRole calls per hour. ` +
      `The ${QUOTA}/s quota is reached at ${fmt(at?.restartBurst ?? 0)} clients by a fleet-wide restart ` +
      `(every client's first call within one minute), ${fmt(at?.afterRestartHours2to12 ?? 0)} clients ` +
      `by the refresh waves in hours 2-12 after it, ${fmt(at?.steadyPeak ?? 0)} clients by ` +
      `steady-state peaks and ${fmt(at?.mean ?? 0)} clients on average.`,
    '',
    `Synchronisation after a restart (busiest minute ÷ mean minute; steady state ` +
      `${fmt(sum?.synchronisation.steadyMinutePeakToMean ?? 0)}): ${sync}.`,
  ].join('\n');
});

/** The README's sentence: the fleet size at which the default quota stops being enough. */
function conclusion() {
  const [reused, sized] = summaries;
  if (!reused || !sized) return '';
  const at = sized.clientsAtQuota;
  const inst = (/** @type {number} */ n) =>
    `${fmt(Math.ceil(n / 10))} instances × 10 clients, ${fmt(n)} × 1`;
  return (
    `**Quota increase needed** (STS-sized timing) from about **${fmt(at.restartBurst)} clients** ` +
    `per account and Region (${inst(at.restartBurst)}) if the whole fleet restarts within a ` +
    `minute; from ${fmt(at.afterRestartHours2to12)} clients for the refresh waves that persist ` +
    `for over 12 hours after such a restart; from ${fmt(at.steadyPeak)} clients in steady state. ` +
    `Reusing the instance role's 120 s TTL for client caches needs it from ${fmt(reused.clientsAtQuota.steadyPeak)} ` +
    `clients in steady state (${fmt(reused.perClientMeanPerHour)} calls per client per hour ` +
    `instead of ${fmt(sized.perClientMeanPerHour)}).`
  );
}

const elapsedSeconds = (performance.now() - started) / 1000;
const markdown = [
  '## Fleet model: sts:AssumeRole calls per second',
  '',
  `Quota: **${QUOTA} requests/s** ${STS_QUOTA.scope}. Source: ${STS_QUOTA.source}.`,
  '',
  `Sessions of ${DURATION_MS / 1000} s; a restart starts every daemon within one minute and each ` +
    'refreshes every client at once. Bold: over the quota. Figures are open-loop (no throttling ' +
    'feedback). Call times come from refreshDueAtMs, the rule RefreshScheduler re-arms with; ' +
    `checked call for call against the real CredentialCache + RefreshScheduler on a FakeClock ` +
    `(${verification.map((v) => `${v.clients} clients, ${v.calls} calls, ${v.mismatched} differ`).join('; ')}). ` +
    `Exact up to ${fmt(EVENT_BUDGET)} calls per run; larger fleets simulate a sample of ` +
    'instances and scale it (5 s moving average, so sampling noise is not multiplied).',
  '',
  conclusion(),
  '',
  ...sections.flatMap((s) => [s, '']),
  `Model run: ${fmt(elapsedSeconds)} s on ${machine().cores} cores.`,
].join('\n');

writeResults(
  'fleet',
  {
    machine: machine(),
    stsQuota: STS_QUOTA,
    durationMs: DURATION_MS,
    eventBudget: EVENT_BUDGET,
    elapsedSeconds,
    verification,
    summaries,
    results,
  },
  markdown,
);
