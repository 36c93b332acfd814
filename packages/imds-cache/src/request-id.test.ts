import t from 'tap';
import { requestIdSource } from './request-id.js';

t.test('ids are unique within a source and differ between sources', async (t) => {
  const next = requestIdSource();
  const ids = new Set(Array.from({ length: 10_000 }, () => next()));
  t.equal(ids.size, 10_000);
  const other = requestIdSource();
  const [prefix] = next().split('-');
  const [otherPrefix] = other().split('-');
  t.match(prefix, /^[0-9a-f]{12}$/);
  t.not(prefix, otherPrefix, 'a random prefix per source (per process in the daemon)');
});
