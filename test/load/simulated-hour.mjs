// The daemon's cache and refresh scheduler, in-process, against the simulator, both on one
// injected clock: an hour (and a day) pass in a second or two of real time, with credential
// rotation and steady client lookups, and every upstream call is counted.
import { countingImdsClient } from '../support/counting-imds-client.js';
import { startImdsSimulator } from '../support/imds-simulator.js';
import { markdownTable } from './report.mjs';

const dist = new URL('../../packages/imds-cache/dist/', import.meta.url);
const load = (/** @type {string} */ file) => import(new URL(file, dist).href);

/**
 * @param {{ simulatedMs: number, stepMs: number, rotateEveryMs: number,
 *   lookupsPerStep: number }} plan
 */
async function simulate(plan) {
  const [{ FakeClock }, { parseConfig }, cacheModule, schedulerModule] = await Promise.all([
    load('fake-clock.js'),
    load('config.js'),
    load('credential-cache.js'),
    load('refresh-scheduler.js'),
  ]);
  const clock = new FakeClock({ startMs: Date.parse('2025-01-01T00:00:00Z') });
  const sim = await startImdsSimulator({
    now: clock.now,
    rateLimit: { ratePerSecond: 20, burst: 20 },
  });
  const config = parseConfig({ IMDS_CACHE_IMDS_ENDPOINT: sim.url });
  const { client, settle } = countingImdsClient({ config, clock });
  const cache = new cacheModule.CredentialCache({
    source: client,
    clock,
    ttlMs: config.ttlMs,
    minRemainingMs: config.minRemainingMs,
    serveFloorMs: config.serveFloorMs,
  });
  const scheduler = new schedulerModule.RefreshScheduler({
    cache,
    clock,
    timing: { ttlMs: config.ttlMs, minRemainingMs: config.minRemainingMs },
  });

  let lookups = 0;
  let lookupFailures = 0;
  let refreshes = 0;
  cache.onRefresh((/** @type {{ ok: boolean }} */ outcome) => {
    if (outcome.ok) refreshes += 1;
  });
  /** @type {number[]} simulated ms from each rotation until the cache served the new key */
  const staleAfterRotationMs = [];
  /** @type {{ key: string, atMs: number } | undefined} */
  let pendingRotation;
  const startMs = clock.now();
  const realStartedMs = performance.now();
  try {
    scheduler.start();
    await settle();
    for (let elapsedMs = 0; elapsedMs < plan.simulatedMs; elapsedMs += plan.stepMs) {
      if (elapsedMs > 0 && elapsedMs % plan.rotateEveryMs === 0) {
        sim.rotateCredentials();
        pendingRotation = { key: sim.currentCredentials().AccessKeyId, atMs: clock.now() };
      }
      clock.advance(plan.stepMs);
      await settle();
      for (let i = 0; i < plan.lookupsPerStep; i++) {
        lookups += 1;
        const held = await cache.get().catch(() => undefined);
        if (!held) lookupFailures += 1;
        else if (pendingRotation && held.document.AccessKeyId === pendingRotation.key) {
          staleAfterRotationMs.push(clock.now() - pendingRotation.atMs);
          pendingRotation = undefined;
        }
      }
      await settle();
    }
  } finally {
    scheduler.stop();
    await sim.close();
  }
  const counters = sim.counters();
  const byPath = counters.byPath;
  const tokenFetches = byPath['/latest/api/token'] ?? 0;
  const roleLookups = byPath['/latest/meta-data/iam/security-credentials/'] ?? 0;
  const credentialFetches = counters.total - tokenFetches - roleLookups;
  const hours = plan.simulatedMs / 3_600_000;
  // The arithmetic bound: one credential fetch per TTL, one token per token TTL, one role lookup.
  const naiveBound =
    Math.ceil(plan.simulatedMs / config.ttlMs) +
    Math.ceil(plan.simulatedMs / (config.imdsTokenTtlSeconds * 1000)) +
    1;
  // The scheduler refreshes 10–20 % of a TTL early, so at most every 0.8 × TTL.
  const schedulerBound =
    Math.ceil(plan.simulatedMs / (0.8 * config.ttlMs)) +
    Math.ceil(plan.simulatedMs / (config.imdsTokenTtlSeconds * 1000 - 60_000)) +
    1;
  return {
    simulatedHours: hours,
    ttlMs: config.ttlMs,
    tokenTtlSeconds: config.imdsTokenTtlSeconds,
    rotations: Math.floor((plan.simulatedMs - 1) / plan.rotateEveryMs),
    lookups,
    lookupFailures,
    refreshes,
    upstreamCalls: counters.total,
    credentialFetches,
    tokenFetches,
    roleLookups,
    byStatus: counters.byStatus,
    naiveBound,
    schedulerBound,
    maxStaleAfterRotationMs:
      staleAfterRotationMs.length > 0 ? Math.max(...staleAfterRotationMs) : null,
    rotationsSeen: staleAfterRotationMs.length,
    simulatedEndMs: clock.now() - startMs,
    realMs: performance.now() - realStartedMs,
  };
}

/** An hour and a day at the daemon's default settings. */
export async function runSimulatedHour() {
  const hour = await simulate({
    simulatedMs: 3_600_000,
    stepMs: 1_000,
    rotateEveryMs: 15 * 60_000,
    lookupsPerStep: 10,
  });
  const day = await simulate({
    simulatedMs: 24 * 3_600_000,
    stepMs: 10_000,
    rotateEveryMs: 60 * 60_000,
    lookupsPerStep: 1,
  });
  const row = (/** @type {string} */ label, /** @type {typeof hour} */ r) => [
    label,
    r.upstreamCalls,
    r.credentialFetches,
    r.tokenFetches,
    r.roleLookups,
    r.naiveBound,
    r.schedulerBound,
    `${r.rotationsSeen}/${r.rotations}`,
    r.maxStaleAfterRotationMs === null ? '–' : `${Math.round(r.maxStaleAfterRotationMs / 1000)} s`,
    `${r.lookups.toLocaleString('en-US')} (${r.lookupFailures} failed)`,
  ];
  const markdown = [
    `Simulated time (injected clock; the daemon's cache and scheduler in-process against the simulator), default TTL ${hour.ttlMs / 1000} s, IMDS token TTL ${hour.tokenTtlSeconds / 3600} h. Bound = ⌈time / TTL⌉ credential fetches + token fetches + 1 role lookup; the scheduler refreshes 10–20 % of a TTL early, hence the second bound (time / 0.8 TTL).`,
    '',
    markdownTable(
      [
        'simulated',
        'IMDS calls',
        'credential fetches',
        'token PUTs',
        'role lookups',
        'bound (time/TTL)',
        'bound (time/0.8 TTL)',
        'rotations picked up',
        'slowest pick-up',
        'client lookups',
      ],
      [row('1 hour, rotation every 15 min', hour), row('24 hours, rotation hourly', day)],
    ),
  ].join('\n');
  return { hour, day, markdown };
}
