import type { Employee } from '@empdir/shared';
import { AppError, ConflictError, UpstreamError } from '../errors.js';
import { toPortraitPng } from '../photos/photo-processor.js';
import type { EmployeeStore } from '../store/employee-store.js';
import type { PhotoStore } from '../store/photo-store.js';
import { mapFlaskItem, migratedPhotoKey } from './flask-item.js';
import type { FlaskSource } from './flask-source.js';
import { emptySummary, type MigrationSummary, record } from './migration-summary.js';

export interface FlaskMigrationDeps {
  readonly source: FlaskSource;
  /** The new table, written only through the store's conditional create. */
  readonly employees: Pick<EmployeeStore, 'get' | 'create'>;
  readonly photos: Pick<PhotoStore, 'put'>;
  readonly now: () => number;
}

export interface FlaskMigrationOptions {
  readonly dryRun: boolean;
  /** Parallel scan segments, each processed one item at a time. */
  readonly segments: number;
  /** Stop after this many old items (a partial run; the next run continues). */
  readonly limit?: number;
  /** Aborting finishes the items in hand, then stops. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (summary: MigrationSummary) => void;
}

function reasonFor(error: unknown): string {
  if (error instanceof UpstreamError) return `${error.service}: ${error.code}`;
  return error instanceof Error ? error.name : 'unknown error';
}

/**
 * Copies every employee of the Flask sample into the new table and bucket. Idempotent: an id
 * already in the new table is left alone, and the item is written last, so a run that stops
 * anywhere is finished by running it again.
 */
export async function migrateFlask(
  deps: FlaskMigrationDeps,
  options: FlaskMigrationOptions,
): Promise<MigrationSummary> {
  const summary = emptySummary(options.dryRun);
  const at = new Date(deps.now()).toISOString();
  let claimed = 0;
  let halted = false;

  const shouldStop = (): boolean => {
    if (halted || options.signal?.aborted) return true;
    return options.limit !== undefined && claimed >= options.limit;
  };

  async function copyPhoto(id: string, oldKey: string): Promise<string | undefined> {
    const bytes = await deps.source.getPhoto(oldKey);
    if (!bytes) {
      summary.photosMissing.push(id);
      return undefined;
    }
    let png: Uint8Array;
    try {
      png = await toPortraitPng(bytes);
    } catch (error) {
      // Too large, not an image, or undecodable: the person still moves, without a photo.
      if (error instanceof AppError && !(error instanceof UpstreamError)) {
        summary.photosUnreadable.push(id);
        return undefined;
      }
      throw error;
    }
    const key = migratedPhotoKey(id, oldKey);
    if (!options.dryRun) await deps.photos.put(key, png);
    return key;
  }

  async function migrateOne(item: Record<string, unknown>): Promise<void> {
    const mapped = mapFlaskItem(item);
    if (mapped.kind === 'skip') {
      record(summary.skipped, mapped.reason, mapped.id);
      return;
    }
    const { id } = mapped.fields;
    if (await deps.employees.get(id)) {
      summary.alreadyPresent += 1;
      return;
    }
    const photoKey = mapped.oldPhotoKey ? await copyPhoto(id, mapped.oldPhotoKey) : undefined;
    const employee: Employee = { ...mapped.fields, createdAt: at, updatedAt: at, version: 1 };
    if (photoKey) employee.photoKey = photoKey;
    if (!options.dryRun) {
      try {
        await deps.employees.create(employee);
      } catch (error) {
        // Another run wrote it meanwhile; its item points at the same photo key, so keep it.
        if (!(error instanceof ConflictError)) throw error;
        summary.alreadyPresent += 1;
        return;
      }
    }
    summary.migrated += 1;
    if (photoKey) summary.photosCopied += 1;
    for (const adjustment of mapped.adjustments) record(summary.adjusted, adjustment, id);
  }

  async function runSegment(segment: number): Promise<void> {
    for await (const page of deps.source.scan(segment, options.segments)) {
      for (const item of page) {
        if (shouldStop()) {
          summary.stoppedEarly = true;
          return;
        }
        claimed += 1;
        summary.seen += 1;
        try {
          await migrateOne(item);
        } catch (error) {
          record(summary.failed, reasonFor(error), String(item.id));
        }
        options.onProgress?.(summary);
      }
    }
  }

  const segments = Array.from({ length: options.segments }, (_, segment) =>
    runSegment(segment).catch((error: unknown) => {
      // The scan itself failed: stop the other segments too, then report it.
      halted = true;
      throw error;
    }),
  );
  const results = await Promise.allSettled(segments);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return summary;
}
