import t from 'tap';
import { MAX_EXTRA_FIELDS, MAX_EXTRA_STRING_LENGTH, safeExtras } from './document-extras.js';

const KNOWN = new Set(['Token']);

t.test('keeps small string and number fields, drops known ones', async (t) => {
  t.same(safeExtras({ Token: 't', AccountId: '123456789012', Version: 2 }, KNOWN), {
    AccountId: '123456789012',
    Version: 2,
  });
});

t.test('drops what could grow without bound or is not plain data', async (t) => {
  const out = safeExtras(
    {
      Long: 'x'.repeat(MAX_EXTRA_STRING_LENGTH + 1),
      Fits: 'x'.repeat(MAX_EXTRA_STRING_LENGTH),
      Nested: { a: 1 },
      List: ['a'],
      Nothing: null,
      Flag: true,
      Infinite: Number.POSITIVE_INFINITY,
      'odd name': 'x',
      __proto__x: 'x',
      ['a'.repeat(65)]: 'x',
    },
    KNOWN,
  );
  t.same(Object.keys(out), ['Fits']);
});

t.test('at most MAX_EXTRA_FIELDS fields pass', async (t) => {
  const many = Object.fromEntries(
    Array.from({ length: MAX_EXTRA_FIELDS + 5 }, (_, i) => [`F${i}`, i]),
  );
  t.equal(Object.keys(safeExtras(many, KNOWN)).length, MAX_EXTRA_FIELDS);
});
