// One simulated hour of an IMDS fault, through the daemon's own pieces: ImdsClient, CredentialCache
// and RefreshScheduler in-process against the IMDSv2 simulator, all on one FakeClock (the
// simulator's slow answers and the transport's deadline too), so an hour costs about a second.
// Shared by test/integration/imds-cache-fault-hour.test.ts and `npm run bench:imds`.
import {
  CredentialCache,
  createMetrics,
  FakeClock,
  parseConfig,
  RefreshScheduler,
} from '../../packages/imds-cache/dist/index.js';
import { countingImdsClient } from './counting-imds-client.js';
import { startImdsSimulator } from './imds-simulator.js';

/**
 * Every fault mode of issue 10, as simulator faults.
 * @type {Readonly<Record<string, import('./imds-faults.js').Fault>>}
 */
export const FAULT_MODES = Object.freeze({
  down: { kind: 'down' },
  '429 storm': { kind: 'status', status: 429 },
  '500 errors': { kind: 'status', status: 500 },
  malformed: { kind: 'malformed' },
  'expired document': { kind: 'expired-document' },
  'same document until expiry': { kind: 'same-document' },
  slow: { kind: 'slow', delayMs: 5_000 },
});

const HOUR_MS = 3_600_000;
// Credentials that expire 30 min into the hour, so every mode also crosses their expiry.
const LIFETIME_MS = 30 * 60_000;

/**
 * The most refreshes an hour can hold, whatever IMDS does and however many clients ask:
 * successful ones at least TTL/4 apart (the scheduler's bound, on the lookup path too); failed
 * ones at least 15 s apart once backoff is at its cap, and a success resets backoff, so at most
 * 5 quicker failures (0.5, 1, 2, 4, 8 s) follow each success.
 * @param {{ ttlMs: number }} config
 */
export function refreshBoundPerHour(config) {
  const succeeded = Math.ceil(HOUR_MS / (config.ttlMs / 4));
  return succeeded + Math.ceil(HOUR_MS / 15_000) + 5 * succeeded;
}

/**
 * The most IMDS calls an hour can cost: each refresh makes at most `maxAttempts` tries, plus one
 * role lookup (a 404 sends the daemon to look the role up again).
 * @param {{ ttlMs: number, upstreamMaxAttempts: number }} config
 */
export function upstreamBoundPerHour(config) {
  return refreshBoundPerHour(config) * (config.upstreamMaxAttempts + 1);
}

/**
 * @param {{ fault: import('./imds-faults.js').Fault, lookupsPerSecond?: number,
 *   env?: Record<string, string> }} options
 */
export async function simulateFaultHour({ fault, lookupsPerSecond = 10, env = {} }) {
  const clock = new FakeClock({ startMs: Date.parse('2026-01-01T00:00:00Z') });
  const sim = await startImdsSimulator({
    now: clock.now,
    sleep: (ms) => clock.sleep(ms),
    credentialLifetimeMs: LIFETIME_MS,
  });
  const config = parseConfig({ IMDS_CACHE_IMDS_ENDPOINT: sim.url, ...env });
  const metrics = createMetrics();
  const { client, settle: settleAll } = countingImdsClient({
    config,
    clock,
    metrics,
    deadline: (ms) => {
      const controller = new AbortController();
      clock.setTimer(() => controller.abort(new DOMException('deadline', 'TimeoutError')), ms);
      return controller.signal;
    },
  });
  const cache = new CredentialCache({
    source: client,
    clock,
    metrics,
    ttlMs: config.ttlMs,
    minRemainingMs: config.minRemainingMs,
    serveFloorMs: config.serveFloorMs,
    staticStability: config.staticStability,
  });
  const scheduler = new RefreshScheduler({ cache, clock, timing: config });

  // A request parked in a slow fault waits for simulated time, so it does not hold the step up.
  const settle = () => settleAll(() => sim.parked());

  let lookups = 0;
  let failures = 0;
  let extendedLookups = 0;
  let refreshes = 0;
  let failedRefreshes = 0;
  cache.onRefresh((/** @type {{ ok: boolean }} */ outcome) => {
    if (outcome.ok) refreshes += 1;
    else failedRefreshes += 1;
  });
  try {
    scheduler.start();
    await settle();
    if (!cache.peek()) throw new Error('the daemon did not warm up against a healthy IMDS');
    sim.resetCounters();
    refreshes = 0;
    sim.setFault(fault);
    const startMs = clock.now();
    while (clock.now() - startMs < HOUR_MS) {
      let answered = 0;
      for (let i = 0; i < lookupsPerSecond; i++) {
        lookups += 1;
        const held = cache.getNow();
        if (held) {
          answered += 1;
          if (held.original) extendedLookups += 1;
          continue;
        }
        // What the server does for a cold lookup; one still waiting after the step has failed.
        cache.get().then(
          () => {
            answered += 1;
          },
          () => undefined,
        );
      }
      await settle();
      failures += lookupsPerSecond - answered;
      clock.advance(1_000);
      await settle();
    }
  } finally {
    scheduler.stop();
    await sim.close();
  }
  const counters = sim.counters();
  return {
    mode: fault,
    upstreamCalls: counters.total,
    byPath: counters.byPath,
    byStatus: counters.byStatus,
    lookups,
    failures,
    extendedLookups,
    refreshes,
    failedRefreshes,
    bound: upstreamBoundPerHour(config),
    maxAttempts: config.upstreamMaxAttempts,
    successfulRefreshBound: Math.ceil(HOUR_MS / (config.ttlMs / 4)),
  };
}
