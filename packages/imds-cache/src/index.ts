export type { Clock, Timer } from './clock.js';
export { systemClock } from './clock.js';
export { ClockSkew, type ClockSkewOptions } from './clock-skew.js';
export { type ImdsCacheConfig, parseConfig } from './config.js';
export {
  CredentialCache,
  type CredentialCacheOptions,
  type CredentialSource,
  type HeldCredentials,
  type RefreshOutcome,
} from './credential-cache.js';
export { type ImdsCacheDeps, type ImdsCacheHandle, startImdsCache } from './daemon.js';
export * from './errors.js';
export { FakeClock, type FakeClockOptions } from './fake-clock.js';
export { ImdsClient, type ImdsClientOptions } from './imds-client.js';
export { imdsClientLimits } from './imds-client-limits.js';
export { ImdsFacade } from './imds-facade.js';
export {
  type HttpTransportOptions,
  httpTransport,
  type ImdsRequest,
  type ImdsResponse,
  type ImdsTransport,
} from './imds-transport.js';
export { InstanceIdentityCache } from './instance-identity.js';
export { createLogger, type Logger } from './log.js';
export { createMetrics, type Metrics } from './metrics.js';
export { RefreshScheduler, refreshDueAtMs } from './refresh-scheduler.js';
export { extendCredentials, type StaticStabilityMode } from './static-stability.js';
export { TokenBucket } from './token-bucket.js';
export { writeTokenFile } from './token-file.js';
