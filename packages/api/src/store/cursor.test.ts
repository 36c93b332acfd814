import { sortNameFor } from '@empdir/shared';
import t from 'tap';
import { BadRequestError } from '../errors.js';
import { decodeCursor, encodeCursor } from './cursor.js';

const id = '0b5c7a9e-4f7e-4a51-9d1a-2b3c4d5e6f70';

t.test('round-trips and is base64url', async (t) => {
  const cursor = { sortName: sortNameFor('Zoë #1', id), id };
  const text = encodeCursor(cursor);
  t.match(text, /^[A-Za-z0-9_-]+$/);
  t.same(decodeCursor(text), cursor);
});

t.test('rejects anything it did not issue with a 400', async (t) => {
  const forged = (doc: unknown) => Buffer.from(JSON.stringify(doc)).toString('base64url');
  for (const bad of [
    'not base64!',
    'x'.repeat(3000),
    forged({ v: 1, s: `someone#${id}` }),
    forged({ v: 2, s: `a#${id}`, id }),
    forged({ v: 1, s: 'a#other-id', id }),
    forged({ v: 1, s: `a#${id}`, id: 'not-a-uuid' }),
    forged({ v: 1, s: `a#${id}`, id, extra: true }),
    // 600 characters, 1,200 bytes: within a character limit, over DynamoDB's 1,024-byte key.
    forged({ v: 1, s: `${'é'.repeat(600)}#${id}`, id }),
    Buffer.from('{not json').toString('base64url'),
  ]) {
    const error = t.throws(() => decodeCursor(bad)) as BadRequestError;
    t.type(error, BadRequestError);
    t.equal(error.status, 400);
  }
});
