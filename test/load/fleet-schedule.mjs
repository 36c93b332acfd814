// One client's AssumeRole calls over time, from the daemon's own refresh rule (refreshDueAtMs, the
// function RefreshScheduler re-arms with), and a check that the real CredentialCache +
// RefreshScheduler on a FakeClock make exactly the same calls from the same random numbers.
const dist = new URL('../../packages/imds-cache/dist/', import.meta.url);
const load = (/** @type {string} */ file) => import(new URL(file, dist).href);
const { refreshDueAtMs } = await load('refresh-scheduler.js');

/**
 * @typedef {{ ttlMs: number, minRemainingMs: number }} Timing
 */

/** A small seeded PRNG (mulberry32): the same seed gives the same jitter in both runs. */
export function seededRandom(/** @type {number} */ seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** STS answers Expiration in whole seconds. */
const expiresAt = (/** @type {number} */ fetchedAtMs, /** @type {number} */ durationMs) =>
  Math.floor((fetchedAtMs + durationMs) / 1000) * 1000;

/**
 * Calls `onCall(t)` for every AssumeRole one client makes from `startMs` (the daemon starts and
 * refreshes at once) until `endMs`, each success re-armed by refreshDueAtMs as the scheduler does.
 * @param {number} startMs
 * @param {number} endMs
 * @param {Timing} timing
 * @param {number} durationMs the session length STS grants
 * @param {() => number} random
 * @param {(atMs: number) => void} onCall
 */
export function clientCalls(startMs, endMs, timing, durationMs, random, onCall) {
  let t = startMs;
  while (t < endMs) {
    onCall(t);
    t = refreshDueAtMs({ fetchedAtMs: t, expiresAtMs: expiresAt(t, durationMs) }, timing, random);
  }
}

/** The shortest and longest gap between two calls of one client under `timing`. */
export function callGapsMs(/** @type {Timing} */ timing, /** @type {number} */ durationMs) {
  const gap = (/** @type {number} */ r) =>
    refreshDueAtMs({ fetchedAtMs: 0, expiresAtMs: expiresAt(0, durationMs) }, timing, () => r);
  return { minMs: gap(1), maxMs: gap(0) };
}

/**
 * Runs `clients` real CredentialCache + RefreshScheduler pairs on one FakeClock (each with its
 * own seeded random, a source that answers at once) from the given start times to `horizonMs`,
 * then compares every call time with clientCalls' for the same seeds.
 * @param {{ timing: Timing, durationMs: number, startsMs: number[], horizonMs: number,
 *   seed: number }} plan
 */
export async function verifyAgainstScheduler({ timing, durationMs, startsMs, horizonMs, seed }) {
  const [{ FakeClock }, { CredentialCache }, { RefreshScheduler }] = await Promise.all([
    load('fake-clock.js'),
    load('credential-cache.js'),
    load('refresh-scheduler.js'),
  ]);
  const baseMs = Date.UTC(2026, 0, 1);
  const clock = new FakeClock({ startMs: baseMs });
  const clients = startsMs.map((startMs, i) => {
    /** @type {number[]} */
    const calls = [];
    const source = {
      roleName: async () => 'client-role',
      credentials: async () => {
        const now = clock.now();
        calls.push(now - baseMs);
        return {
          Code: 'Success',
          LastUpdated: new Date(now).toISOString(),
          Type: 'AWS-HMAC',
          AccessKeyId: 'fleet-model',
          SecretAccessKey: 'fleet-model',
          Token: 'fleet-model',
          Expiration: new Date(expiresAt(now, durationMs)).toISOString(),
        };
      },
    };
    const cache = new CredentialCache({
      source,
      clock,
      ...timing,
      serveFloorMs: 60_000,
      roleName: 'client-role',
      // Used only after a failure, which never happens here.
      random: seededRandom(0),
    });
    const scheduler = new RefreshScheduler({
      cache,
      clock,
      timing,
      random: seededRandom(seed + i),
    });
    return { startMs, calls, scheduler, started: false };
  });
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  for (;;) {
    let next = Number.POSITIVE_INFINITY;
    for (const c of clients) {
      const at = c.started ? c.scheduler.nextRefreshAtMs() - baseMs : c.startMs;
      if (at < next) next = at;
    }
    if (!(next < horizonMs)) break;
    clock.advanceTo(baseMs + next);
    for (const c of clients) {
      if (!c.started && c.startMs === next) {
        c.started = true;
        c.scheduler.start();
      }
    }
    await settle();
  }
  for (const c of clients) c.scheduler.stop();
  let calls = 0;
  let mismatched = 0;
  clients.forEach((c, i) => {
    /** @type {number[]} */
    const expected = [];
    clientCalls(c.startMs, horizonMs, timing, durationMs, seededRandom(seed + i), (t) =>
      expected.push(t),
    );
    calls += c.calls.length;
    if (expected.join() !== c.calls.join()) mismatched += 1;
  });
  return { clients: clients.length, calls, mismatched };
}
