import t from 'tap';
import {
  foldForSearch,
  isBadgeKey,
  matchesSearch,
  searchHintId,
  searchKeysFor,
  searchPartition,
  searchWords,
} from './search-keys.js';

t.test('folding drops accents and case, splits on anything but letters and digits', async (t) => {
  t.equal(foldForSearch("Zoë O'Brien-Łukasz"), 'zoe o brien lukasz');
  t.equal(foldForSearch('  STRAßE  '), 'strasse');
  t.equal(foldForSearch('Ｊｏｓé'), 'jose', 'full-width letters fold by NFKD');
  t.equal(foldForSearch('Ærø'), 'aero');
  t.equal(foldForSearch('İlkay'), 'ilkay');
  t.equal(foldForSearch("'--'"), '');
});

t.test('words beyond the eighth are not indexed', async (t) => {
  t.same(searchWords('a b c d e f g h i j'), ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
});

t.test('keys: every prefix up to 5 characters of every word, badges, location', async (t) => {
  const keys = searchKeysFor({
    fullName: 'Ana Anabela',
    badges: ['apple', 'coffee'],
    location: 'São Paulo',
  });
  t.same(keys.sort(), [
    'b#apple',
    'b#coffee',
    'l#sao paulo',
    'p#a',
    'p#an',
    'p#ana',
    'p#anab',
    'p#anabe',
  ]);
  t.equal(searchHintId('p#an', 'ana#1'), 'p#an#ana#1');
});

t.test('the partition a search reads, and whether its hints need checking', async (t) => {
  t.same(searchPartition({ q: 'Ana' }), { key: 'p#ana', exact: true });
  t.same(searchPartition({ q: 'Anabela' }), { key: 'p#anabe', exact: false });
  t.same(searchPartition({ q: 'de Ana' }), { key: 'p#ana', exact: false }, 'the longest word');
  t.same(searchPartition({ badge: 'apple' }), { key: 'b#apple', exact: true });
  t.same(searchPartition({ location: 'SÃO paulo' }), { key: 'l#sao paulo', exact: true });
  t.same(searchPartition({ q: 'a', location: 'Oslo' }), { key: 'l#oslo', exact: false });
  t.same(searchPartition({ q: 'an', location: 'Oslo' }), { key: 'p#an', exact: false });
  t.same(searchPartition({ q: 'a', badge: 'bug' }), { key: 'p#a', exact: false });
  t.throws(() => searchPartition({ q: '--' }), RangeError);
});

t.test('a match starts a word, or the name, and every criterion holds', async (t) => {
  const ana = { fullName: 'Ana María de la Cruz', badges: ['linux'], location: 'Málaga' };
  for (const q of ['ana', 'ANA M', 'maria', 'Mar', 'de la c', 'cruz', 'ana maría de la cruz']) {
    t.ok(matchesSearch(ana, { q }), q);
  }
  for (const q of ['na', 'ria', 'ana de', 'cruzz', '-']) t.notOk(matchesSearch(ana, { q }), q);
  t.ok(matchesSearch(ana, { q: 'cruz', badge: 'linux', location: 'malaga' }));
  t.notOk(matchesSearch(ana, { q: 'cruz', badge: 'apple' }));
  t.notOk(matchesSearch(ana, { location: 'Malagueta' }));
});

t.test(
  'letters NFKD keeps whole fold to their plain spelling; runs of separators to one space',
  async (t) => {
    t.equal(foldForSearch('Œuvre Ðóra Þór Ħal'), 'oeuvre dora thor hal');
    t.equal(foldForSearch('Đorđe Øystein Łódź'), 'dorde oystein lodz');
    t.equal(foldForSearch("Ana -- O'  Brien"), 'ana o brien');
  },
);

t.test('a name or location with no letter or digit gives no words and no keys', async (t) => {
  t.same(searchWords("'--'"), []);
  t.same(searchKeysFor({ fullName: '--', badges: [], location: '(?)' }), []);
  t.same(searchKeysFor({ fullName: 'Bo', badges: ['bug'], location: '-' }).sort(), [
    'b#bug',
    'p#b',
    'p#bo',
  ]);
});

t.test('the partition: the first of the longest words, whole up to 5 characters', async (t) => {
  t.same(searchPartition({ q: 'Ana de' }), { key: 'p#ana', exact: false }, 'longest first');
  t.same(searchPartition({ q: 'Ana Bob' }), { key: 'p#ana', exact: false }, 'first of equals');
  t.same(searchPartition({ q: 'Anabe' }), { key: 'p#anabe', exact: true }, '5 characters whole');
  t.same(searchPartition({ q: 'Anabel' }), { key: 'p#anabe', exact: false }, '6 are not');
  t.throws(() => searchPartition({ q: '--' }), {
    name: 'RangeError',
    message: 'a search needs q, badge or location with a letter or digit',
  });
});

t.test('badge keys: only the fixed list', async (t) => {
  t.equal(isBadgeKey('apple'), true);
  t.equal(isBadgeKey('umbrella'), true);
  t.equal(isBadgeKey('app'), false);
  t.equal(isBadgeKey('toString'), false);
});
