import type { Clock } from './clock.js';
import type { ImdsCacheConfig } from './config.js';
import type { ImdsClientOptions } from './imds-client.js';
import { TokenBucket } from './token-bucket.js';

/** The IMDS client's limits from config: its request-rate ceiling, token TTL and attempts per call. */
export function imdsClientLimits(
  config: ImdsCacheConfig,
  clock: Clock,
): Pick<ImdsClientOptions, 'ceiling' | 'tokenTtlSeconds' | 'maxAttempts'> {
  return {
    ceiling: new TokenBucket({
      ratePerSecond: config.upstreamMaxRps,
      burst: config.upstreamBurst,
      clock,
    }),
    tokenTtlSeconds: config.imdsTokenTtlSeconds,
    maxAttempts: config.upstreamMaxAttempts,
  };
}
