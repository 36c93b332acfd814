import { employeeIdSchema, SORT_KEY_MAX_BYTES, utf8Bytes } from '@empdir/shared';
import { z } from 'zod';
import { BadRequestError } from '../errors.js';

/** Where a page ends in the byName index: the last item's sort key and id. */
export interface PageCursor {
  readonly sortName: string;
  readonly id: string;
}

const MAX_CURSOR_CHARS = 2048;

const cursorSchema = z.strictObject({
  v: z.literal(1),
  // In bytes, as DynamoDB counts: a cursor too long for a sort key is ours to refuse (400).
  s: z
    .string()
    .min(1)
    .refine((s) => utf8Bytes(s) <= SORT_KEY_MAX_BYTES),
  id: employeeIdSchema,
});

/** Opaque to clients: base64url of a small versioned JSON document. */
export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify({ v: 1, s: cursor.sortName, id: cursor.id })).toString(
    'base64url',
  );
}

/** Decodes a client's cursor; anything not made by encodeCursor is a 400, never a DynamoDB error. */
export function decodeCursor(text: string): PageCursor {
  const invalid = new BadRequestError('The page cursor is not valid; start from the first page.', [
    { path: 'cursor', message: 'not a cursor this service issued' },
  ]);
  if (text.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(text)) throw invalid;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const parsed = cursorSchema.safeParse(json);
  // The sort key always ends with the item's id (sortNameFor), so a mismatch means tampering.
  if (!parsed.success || !parsed.data.s.endsWith(`#${parsed.data.id}`)) throw invalid;
  return { sortName: parsed.data.s, id: parsed.data.id };
}
