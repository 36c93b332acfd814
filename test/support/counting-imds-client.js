// The daemon's ImdsClient (token bucket and retries from the parsed config) over a real HTTP
// transport that counts its requests, for the in-process simulations on an injected clock: they
// advance simulated time only once no request is in flight.
import {
  httpTransport,
  ImdsClient,
  imdsClientLimits,
} from '../../packages/imds-cache/dist/index.js';

/**
 * @typedef {import('../../packages/imds-cache/dist/index.js').FakeClock} FakeClock
 * @typedef {import('../../packages/imds-cache/dist/index.js').ImdsCacheConfig} ImdsCacheConfig
 * @typedef {import('../../packages/imds-cache/dist/index.js').Metrics} Metrics
 */

/**
 * @param {{ config: ImdsCacheConfig, clock: FakeClock, metrics?: Metrics,
 *   deadline?: (ms: number) => AbortSignal }} options
 */
export function countingImdsClient({ config, clock, metrics, deadline }) {
  const real = httpTransport({
    endpoint: config.imdsEndpoint,
    timeoutMs: config.imdsTimeoutMs,
    ...(deadline ? { deadline } : {}),
  });
  const startMs = clock.now();
  let inFlight = 0;
  /** @type {number[]} simulated ms (since this client was made) of every IMDS request */
  const imdsAtMs = [];
  /**
   * Counts other work (an STS call, say) as in flight too, so `settle` waits for it.
   * @template T
   * @param {() => Promise<T>} work
   */
  const track = async (work) => {
    inFlight += 1;
    try {
      return await work();
    } finally {
      inFlight -= 1;
    }
  };
  const client = new ImdsClient({
    transport: (request) => {
      imdsAtMs.push(clock.now() - startMs);
      return track(() => real(request));
    },
    clock,
    // The daemon's own limits, so a simulation measures what the daemon would do.
    ...imdsClientLimits(config, clock),
    ...(metrics ? { metrics } : {}),
  });
  /**
   * Real HTTP runs while simulated time stands still: wait until no request is in flight (but
   * the `parked` ones, waiting for simulated time) and none starts within a few event-loop turns.
   * @param {() => number} [parked]
   */
  const settle = async (parked = () => 0) => {
    for (let quiet = 0; quiet < 3; ) {
      await new Promise((resolve) => setImmediate(resolve));
      if (inFlight > parked()) {
        quiet = 0;
        await new Promise((resolve) => setTimeout(resolve, 1));
      } else quiet += 1;
    }
  };
  return { client, imdsAtMs, inFlight: () => inFlight, track, settle };
}
