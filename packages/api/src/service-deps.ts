import type { Logger } from 'pino';
import type { AppDeps } from './app-deps.js';
import type { ApiConfig } from './config.js';
import { ImageJobs } from './photos/image-jobs.js';
import { photoUrlCacheFor } from './photos/photo-url-cache.js';
import { createReadinessCheck } from './readiness.js';
import type { EmployeeStore } from './store/employee-store.js';
import type { PhotoStore } from './store/photo-store.js';

export interface ServiceDepsInput<E extends EmployeeStore, P extends PhotoStore> {
  readonly config: ApiConfig;
  readonly logger: Logger;
  readonly now: () => number;
  readonly employees: E;
  readonly photos: P;
}

type ServiceDeps<E extends EmployeeStore, P extends PhotoStore> = ServiceDepsInput<E, P> &
  Pick<AppDeps, 'photoUrls' | 'images' | 'readiness'>;

/** The services built on the stores, wired the same for the real deps and the test fakes. */
export function serviceDeps<E extends EmployeeStore, P extends PhotoStore>(
  input: ServiceDepsInput<E, P>,
): ServiceDeps<E, P> {
  const { config, logger, now, employees, photos } = input;
  return {
    config,
    logger,
    now,
    employees,
    photos,
    photoUrls: photoUrlCacheFor(photos, {
      now,
      photoUrlTtlSeconds: config.photoUrlTtlSeconds,
      logger,
    }),
    images: new ImageJobs(config.imageJobsMax),
    readiness: createReadinessCheck({
      employees,
      photos,
      now,
      cacheMs: config.readinessCacheMs,
      logger,
    }),
  };
}
