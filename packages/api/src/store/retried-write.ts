// A conditional write the SDK retried may fail on the change its own lost-response attempt made;
// these tell such a write from a real conflict.
import { isDeepStrictEqual } from 'node:util';
import type { Employee } from '@empdir/shared';
import type { EmployeeChanges } from './employee-store.js';

/** The SDK retried: an earlier attempt may have been applied although its response was lost. */
export function afterRetry(error: unknown): boolean {
  return ((error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1) > 1;
}

/** The item holds exactly what our write would have made of version `expected`. */
export function holdsOurWrite(
  item: Employee,
  changes: EmployeeChanges,
  expected: number,
  updatedAt: string,
): boolean {
  if (item.version !== expected + 1 || item.updatedAt !== updatedAt) return false;
  return Object.entries(changes).every(
    ([field, value]) =>
      value === undefined ||
      // Deep: list fields such as badges are arrays.
      isDeepStrictEqual(item[field as keyof Employee], value === null ? undefined : value),
  );
}
