import type { Logger } from 'pino';
import type { OidcPort } from './auth/oidc-port.js';
import type { ApiConfig } from './config.js';
import type { InstanceInfoSource } from './info/instance-info.js';
import type { ImageJobs } from './photos/image-jobs.js';
import type { PhotoUrlCache } from './photos/photo-url-cache.js';
import type { ReadinessReport } from './readiness.js';
import type { EmployeeStore } from './store/employee-store.js';
import type { PhotoStore } from './store/photo-store.js';
import type { CpuStress } from './stress/cpu-stress.js';

/** Everything createApp needs; real ones come from createDeps, fakes from test-support/. */
export interface AppDeps {
  readonly config: ApiConfig;
  readonly logger: Logger;
  /** Epoch milliseconds; injected so tests control time. */
  readonly now: () => number;
  readonly employees: EmployeeStore;
  readonly photos: PhotoStore;
  readonly photoUrls: PhotoUrlCache;
  /** Where uploads are decoded and resized, a bounded number at a time. */
  readonly images: ImageJobs;
  readonly instanceInfo: InstanceInfoSource;
  readonly stress: CpuStress;
  /** The OpenID provider: sign-in, sign-out and the keys of bearer tokens. */
  readonly oidc: OidcPort;
  readonly readiness: () => Promise<ReadinessReport>;
  /** True once shutdown began: readiness answers 503 so load balancers drain this instance. */
  readonly isShuttingDown: () => boolean;
}
