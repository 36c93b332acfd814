import {
  type Employee,
  type EmployeeCreate,
  type EmployeeUpdate,
  employeeIdSchema,
  newEmployeeId,
  newPhotoKey,
} from '@empdir/shared';
import type { Logger } from 'pino';
import { NotFoundError, UpstreamError, VersionConflictError } from './errors.js';
import type { ImageJobs } from './photos/image-jobs.js';
import type { PhotoUrlCache } from './photos/photo-url-cache.js';
import type { DirectoryPage } from './store/directory-rows.js';
import type { EmployeeStore, SearchQuery, StoredPage } from './store/employee-store.js';
import type { PhotoStore } from './store/photo-store.js';

export interface EmployeeServiceDeps {
  readonly employees: EmployeeStore;
  readonly photos: PhotoStore;
  readonly photoUrls: PhotoUrlCache;
  readonly images: ImageJobs;
  readonly now: () => number;
  readonly logger: Logger;
}

export const photoPathFor = (id: string) => `/api/employees/${id}/photo`;

export interface WriteOptions {
  readonly expectedVersion?: number;
}

/**
 * The directory's use cases for both the pages and the JSON API. Photos are written before the
 * item that points at them and removed after the item stops pointing at them, so a failure can
 * leave at most an unreferenced object (deleted on the spot when the write surely did not apply),
 * never an item with a missing photo.
 */
export class EmployeeService {
  constructor(private readonly deps: EmployeeServiceDeps) {}

  list(query: { limit: number; cursor?: string }): Promise<StoredPage> {
    return this.deps.employees.list(query);
  }

  search(query: SearchQuery): Promise<StoredPage> {
    return this.deps.employees.search(query);
  }

  /** Every employee as /everyone rows, one page at a time. */
  directory(): AsyncIterable<DirectoryPage> {
    return this.deps.employees.directory();
  }

  async get(id: string): Promise<Employee> {
    const employee = employeeIdSchema.safeParse(id).success
      ? await this.deps.employees.get(id)
      : undefined;
    if (!employee) throw new NotFoundError();
    return employee;
  }

  async create(input: EmployeeCreate, photo?: Uint8Array): Promise<Employee> {
    const png = photo ? await this.deps.images.toStoredPng(photo) : undefined;
    const at = new Date(this.deps.now()).toISOString();
    const employee: Employee = {
      id: newEmployeeId(),
      ...input,
      createdAt: at,
      updatedAt: at,
      version: 1,
    };
    if (png) employee.photoKey = await this.#upload(png);
    try {
      await this.deps.employees.create(employee);
    } catch (error) {
      if (employee.photoKey)
        await this.#discardUnlessReferenced(employee.id, employee.photoKey, error);
      throw error;
    }
    return employee;
  }

  async update(
    id: string,
    changes: EmployeeUpdate | Record<string, never>,
    options: WriteOptions & { photo?: Uint8Array; removePhoto?: boolean } = {},
  ): Promise<Employee> {
    this.#checkId(id);
    // Decoding and uploading cost CPU and S3 writes: only for an employee that exists, at the
    // version asked for. The conditional write below still decides; this only refuses early.
    if (options.photo) await this.#checkVersion(id, options.expectedVersion);
    const png = options.photo ? await this.deps.images.toStoredPng(options.photo) : undefined;
    const uploaded = png ? await this.#upload(png) : undefined;
    // The form's "Remove photo" clears the key in the same write as the other fields.
    const photoKey = uploaded ?? (options.removePhoto ? null : undefined);
    let result: { before: Employee; after: Employee };
    try {
      result = await this.deps.employees.update(
        id,
        { ...changes, photoKey },
        { expectedVersion: options.expectedVersion, updatedAt: this.#nowIso() },
      );
    } catch (error) {
      if (uploaded) await this.#discardUnlessReferenced(id, uploaded, error);
      throw error;
    }
    const replaced = result.before.photoKey;
    if (photoKey !== undefined && replaced && replaced !== photoKey) await this.#discard(replaced);
    return result.after;
  }

  async remove(id: string, options: WriteOptions = {}): Promise<Employee> {
    this.#checkId(id);
    const removed = await this.deps.employees.remove(id, options);
    if (removed.photoKey) await this.#discard(removed.photoKey);
    return removed;
  }

  async removePhoto(id: string, options: WriteOptions = {}): Promise<Employee> {
    const current = await this.get(id);
    const expected = options.expectedVersion ?? current.version;
    if (expected !== current.version) throw new VersionConflictError(current.version);
    if (!current.photoKey) return current;
    const { before, after } = await this.deps.employees.update(
      id,
      { photoKey: null },
      { expectedVersion: expected, updatedAt: this.#nowIso() },
    );
    if (before.photoKey) await this.#discard(before.photoKey);
    return after;
  }

  /**
   * Where pages and clients get the photo: our stable path, which redirects to a fresh presigned
   * URL, so a cached body or a 304 never holds a URL that has expired.
   */
  photoUrl(employee: Employee): Promise<string | undefined> {
    return Promise.resolve(employee.photoKey ? photoPathFor(employee.id) : undefined);
  }

  /** Photo paths of a page's employees, by photo key. */
  photoUrls(employees: readonly Employee[]): Promise<Map<string, string>> {
    const paths = new Map<string, string>();
    for (const { id, photoKey } of employees) if (photoKey) paths.set(photoKey, photoPathFor(id));
    return Promise.resolve(paths);
  }

  /** A presigned URL of the employee's current photo; 404 without one, 503 when S3 cannot sign. */
  async signedPhotoUrl(id: string): Promise<string> {
    const { photoKey } = await this.get(id);
    if (!photoKey) throw new NotFoundError('This employee has no photo.');
    const url = await this.deps.photoUrls.urlFor(photoKey);
    if (!url) throw new UpstreamError('s3', 'unavailable', new Error('could not sign a photo URL'));
    return url;
  }

  async #checkVersion(id: string, expectedVersion: number | undefined): Promise<void> {
    const current = await this.deps.employees.get(id);
    if (!current) throw new NotFoundError();
    if (expectedVersion !== undefined && expectedVersion !== current.version) {
      throw new VersionConflictError(current.version);
    }
  }

  /** Presigned URLs from the cache, by photo key: for /everyone, rendered fresh on every view. */
  signedPhotoUrls(rows: readonly Pick<Employee, 'photoKey'>[]): Promise<Map<string, string>> {
    return this.deps.photoUrls.urlsFor(rows.map((row) => row.photoKey));
  }

  #checkId(id: string): void {
    // A tampered id can never reach the table, let alone create an item there.
    if (!employeeIdSchema.safeParse(id).success) throw new NotFoundError();
  }

  #nowIso(): string {
    return new Date(this.deps.now()).toISOString();
  }

  async #upload(png: Uint8Array): Promise<string> {
    const key = newPhotoKey();
    await this.deps.photos.put(key, png);
    return key;
  }

  /**
   * After a failed write, the new photo goes only when the item surely does not point to it: a
   * refused write did not apply, but an upstream failure (timeout, lost response) may have.
   */
  async #discardUnlessReferenced(id: string, key: string, error: unknown): Promise<void> {
    if (error instanceof UpstreamError) {
      const item = await this.deps.employees.get(id).catch(() => null);
      // Unknown or pointing to it: an orphan object is acceptable, a dangling key is not.
      if (item === null || item?.photoKey === key) return;
    }
    await this.#discard(key);
  }

  async #discard(key: string): Promise<void> {
    this.deps.photoUrls.forget(key);
    try {
      await this.deps.photos.remove(key);
    } catch (err) {
      // The write that mattered succeeded or failed already; an orphan is logged for cleanup.
      this.deps.logger.error({ err, photoKey: key }, 'could not delete an unreferenced photo');
    }
  }
}
