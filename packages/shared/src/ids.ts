import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';

/** Employee ids are random UUIDs; anything else is rejected before it reaches the table. */
export const employeeIdSchema = z.uuid({ error: 'employee id must be a UUID' });
export type EmployeeId = z.infer<typeof employeeIdSchema>;

export function newEmployeeId(): EmployeeId {
  return randomUUID();
}

/** Photo objects live under this prefix; the IAM policy grants object access only below it. */
export const PHOTO_KEY_PREFIX = 'employee-pic/';

/** `employee-pic/<32 hex>.png`: the only object keys the service writes. */
export const photoKeySchema = z.string().regex(/^employee-pic\/[0-9a-f]{32}\.png$/, {
  error: 'photo key must be employee-pic/<32 hex>.png',
});
export type PhotoKey = z.infer<typeof photoKeySchema>;

export function newPhotoKey(): PhotoKey {
  return `${PHOTO_KEY_PREFIX}${randomBytes(16).toString('hex')}.png`;
}
