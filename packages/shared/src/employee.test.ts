import t from 'tap';
import { BADGE_KEYS, BADGES } from './badges.js';
import { employeeCreateSchema, employeeUpdateSchema } from './employee.js';
import { newEmployeeId, newPhotoKey, photoKeySchema } from './ids.js';

t.test('the 12 badges of the original sample, in display order', async (t) => {
  t.equal(BADGE_KEYS.length, 12);
  t.equal(BADGES['video-camera'], 'Digital Content Star');
  t.equal(BADGES.umbrella, 'Seattle Fan');
});

t.test('create input trims text, orders and dedupes badges', async (t) => {
  const parsed = employeeCreateSchema.parse({
    fullName: '  Ada Lovelace ',
    location: 'London',
    jobTitle: 'Analyst',
    badges: ['umbrella', 'apple', 'umbrella'],
  });
  t.same(parsed, {
    fullName: 'Ada Lovelace',
    location: 'London',
    jobTitle: 'Analyst',
    badges: ['apple', 'umbrella'],
  });
  t.same(employeeCreateSchema.parse({ fullName: 'A', location: 'B', jobTitle: 'C' }).badges, []);
});

t.test('create input rejects what the original accepted', async (t) => {
  const bad = employeeCreateSchema.safeParse({
    fullName: '',
    location: 'x'.repeat(101),
    jobTitle: 'ok\u0000',
    badges: ['apple', 'app'],
    admin: true,
  });
  t.equal(bad.success, false);
  const paths = bad.error?.issues.map((i) => i.path.join('.')).sort();
  t.same(paths, ['', 'badges.1', 'fullName', 'jobTitle', 'location']);
  t.match(
    bad.error?.issues.find((i) => i.path.join('.') === 'badges.1')?.message,
    /unknown badge "app"/,
  );
});

t.test('update input needs at least one field', async (t) => {
  t.equal(employeeUpdateSchema.safeParse({}).success, false);
  t.same(employeeUpdateSchema.parse({ location: 'Paris' }), { location: 'Paris' });
});

t.test('ids and photo keys', async (t) => {
  t.match(newEmployeeId(), /^[0-9a-f-]{36}$/);
  const key = newPhotoKey();
  t.equal(photoKeySchema.safeParse(key).success, true);
  t.not(newPhotoKey(), key);
  t.equal(photoKeySchema.safeParse('employee-pic/../../etc/passwd.png').success, false);
});
