// The fleet model's Markdown: one table per timing, the quota sentence, the throttled restart.
import { fmt, markdownTable } from './report.mjs';

/**
 * @param {{ quota: number, stsQuota: { scope: string, source: string }, durationMs: number,
 *   eventBudget: number, instances: number[], verification: any[], results: any[],
 *   summaries: any[], throttled: any[], elapsedSeconds: number, cores: number }} data
 */
export function fleetMarkdown(data) {
  const {
    quota: QUOTA,
    stsQuota: STS_QUOTA,
    durationMs: DURATION_MS,
    eventBudget: EVENT_BUDGET,
    instances: INSTANCES,
    verification,
    results,
    summaries,
    throttled,
    elapsedSeconds,
  } = data;
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

  return [
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
    throttledSection(throttled, QUOTA),
    '',
    `Model run: ${fmt(elapsedSeconds)} s on ${data.cores} cores.`,
  ].join('\n');
}

/**
 * @param {any[]} rows
 * @param {number} quota
 */
function throttledSection(rows, quota) {
  return [
    `### A fleet-wide restart with STS throttling (STS-sized timing)`,
    '',
    `Calls beyond ${quota}/s are refused and each client retries on the cache's jittered backoff ` +
      "(retryAfterFailureMs: 0.5-30 s, full jitter); the SDK's own second attempt is not modelled. " +
      'A sample of clients stands for the fleet with the quota scaled alike.',
    '',
    markdownTable(
      [
        'Clients',
        'Sampled',
        'All hold credentials after s',
        'Half after s',
        'Throttled calls per client',
        'Throttled calls/s (mean while draining)',
        'Minute peak/mean, hours 2-3',
      ],
      rows.map((r) => [
        fmt(r.fleetClients),
        fmt(r.sampleClients),
        r.allServedAfterSeconds,
        r.p50ServedAfterSeconds,
        r.throttledPerClient,
        r.allServedAfterSeconds > 60
          ? (r.throttledPerClient * r.fleetClients) / r.allServedAfterSeconds
          : 0,
        r.laterMinutePeakToMean,
      ]),
    ),
  ].join('\n');
}
