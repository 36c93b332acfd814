import type { Logger } from 'pino';
import type { EmployeeStore } from './store/employee-store.js';
import type { PhotoStore } from './store/photo-store.js';

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: { readonly table: 'ok' | 'unavailable'; readonly bucket: 'ok' | 'unavailable' };
}

export interface ReadinessOptions {
  readonly employees: EmployeeStore;
  readonly photos: PhotoStore;
  readonly now: () => number;
  /** How long one answer is reused, so probes cannot hammer DynamoDB and S3. */
  readonly cacheMs: number;
  readonly logger: Logger;
}

/** DescribeTable + HeadBucket, cached for a few seconds, one check in flight at a time. */
export function createReadinessCheck(options: ReadinessOptions): () => Promise<ReadinessReport> {
  let cached: { report: ReadinessReport; atMs: number } | undefined;
  let pending: Promise<ReadinessReport> | undefined;

  async function probe(what: string, check: () => Promise<void>) {
    try {
      await check();
      return 'ok' as const;
    } catch (err) {
      options.logger.warn({ err, check: what }, 'not ready');
      return 'unavailable' as const;
    }
  }

  async function run(): Promise<ReadinessReport> {
    const [table, bucket] = await Promise.all([
      probe('table', () => options.employees.checkReady()),
      probe('bucket', () => options.photos.checkReady()),
    ]);
    const report = { ready: table === 'ok' && bucket === 'ok', checks: { table, bucket } };
    cached = { report, atMs: options.now() };
    return report;
  }

  return async () => {
    if (cached && options.now() - cached.atMs < options.cacheMs) return cached.report;
    pending ??= run().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}
