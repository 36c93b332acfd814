import t from 'tap';
import {
  FOLDED_NAME_MAX_BYTES,
  foldedName,
  SORT_KEY_MAX_BYTES,
  sortNameFor,
} from './employee-table.js';

t.test('the sort key: the name case-folded and NFKC-normalised, then # and the id', async (t) => {
  t.equal(foldedName('ÉMILE Zola'), 'émile zola');
  t.equal(foldedName('ＡＢＣ ﬁ'), 'abc fi', 'full-width letters and ligatures by NFKC');
  const id = '0b7c3c56-3f5e-4d8a-9a1e-6c2f0d6b9e11';
  t.equal(sortNameFor('Ada Lovelace', id), `ada lovelace#${id}`);
  t.ok(sortNameFor('ada', id) < sortNameFor('Bob', id), 'case does not change the order');
  t.equal(
    FOLDED_NAME_MAX_BYTES + 1 + id.length,
    SORT_KEY_MAX_BYTES,
    'the budget leaves room for #id',
  );
});
