import t from 'tap';
import { mapFlaskItem, migratedPhotoKey } from './flask-item.js';

const id = '0f8fad5b-d9cb-469f-a165-70867728950e';

t.test('an ordinary old item keeps its id and fields; badges in display order', async (t) => {
  t.same(
    mapFlaskItem({
      id,
      full_name: 'Ada',
      job_title: 'Analyst',
      location: 'London',
      badges: ['coffee', 'apple'],
      object_key: 'employee_pic/ab.png',
    }),
    {
      kind: 'employee',
      fields: {
        id,
        fullName: 'Ada',
        jobTitle: 'Analyst',
        location: 'London',
        badges: ['apple', 'coffee'],
      },
      oldPhotoKey: 'employee_pic/ab.png',
      adjustments: [],
    },
  );
});

t.test('odd items: skipped with a reason or adjusted, never rejected silently', async (t) => {
  t.match(mapFlaskItem({ id: 'emp-42', full_name: 'A' }), {
    kind: 'skip',
    reason: 'id is not a UUID',
  });
  t.match(mapFlaskItem({ id: 7, full_name: 'A' }), { kind: 'skip', id: '7' });
  t.match(mapFlaskItem({ id, full_name: '   ' }), { kind: 'skip', reason: 'no full name' });
  t.match(mapFlaskItem({ id }), { kind: 'skip', reason: 'no full name' });
  const bare = mapFlaskItem({ id, full_name: 'Bo' });
  t.match(bare, {
    kind: 'employee',
    fields: { jobTitle: 'Unknown', location: 'Unknown', badges: [] },
    oldPhotoKey: undefined,
    adjustments: ['missing job title set to "Unknown"', 'missing location set to "Unknown"'],
  });
  t.match(
    mapFlaskItem({
      id,
      full_name: 'C',
      job_title: 'J',
      location: 'L',
      badges: new Set(['bug', 'rocket']),
    }),
    {
      fields: { badges: ['bug'] },
      adjustments: ['unknown badge dropped'],
    },
  );
  const long = mapFlaskItem({
    id,
    full_name: `x\u0007${'y'.repeat(200)}`,
    job_title: 'J',
    location: 'L',
  });
  t.match(long, { adjustments: ['text shortened or cleaned'] });
  // The bell became a space; the name was cut to the 100-character limit.
  t.equal(long.kind === 'employee' && long.fields.fullName, `x ${'y'.repeat(98)}`);
  t.match(mapFlaskItem({ id, full_name: 'D', job_title: 'J', location: 'L', object_key: '' }), {
    oldPhotoKey: undefined,
  });
});

t.test(
  'the new photo key is a valid key, the same on every run, different per photo',
  async (t) => {
    const key = migratedPhotoKey(id, 'employee_pic/ab.png');
    t.match(key, /^employee-pic\/[0-9a-f]{32}\.png$/);
    t.equal(migratedPhotoKey(id, 'employee_pic/ab.png'), key);
    t.not(migratedPhotoKey(id, 'employee_pic/cd.png'), key);
  },
);
