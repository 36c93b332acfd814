import t from 'tap';
import { BADGE_KEYS, BADGES } from './badges.js';
import { employeeCreateSchema, employeeUpdateSchema } from './employee.js';
import { SORT_KEY_MAX_BYTES, sortNameFor, utf8Bytes } from './employee-table.js';
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

t.test('a name that NFKC expands past the index key limit is refused, in bytes', async (t) => {
  // U+FDFA is one character that normalises to 18; 100 of them are ~3,300 bytes of UTF-8.
  const expanding = '\uFDFA'.repeat(100);
  t.equal(expanding.length, 100, 'within the 100-character limit');
  for (const schema of [employeeCreateSchema, employeeUpdateSchema]) {
    const parsed = schema.safeParse({ fullName: expanding, location: 'L', jobTitle: 'J' });
    t.equal(parsed.success, false);
    t.match(parsed.error?.issues[0], {
      path: ['fullName'],
      message: /too long once normalised \(NFKC\): at most 987 bytes/,
    });
  }
  // 100 three-byte characters that stay one character each are fine: 300 bytes.
  const cjk = '\u4E00'.repeat(100);
  t.equal(
    employeeCreateSchema.safeParse({ fullName: cjk, location: 'L', jobTitle: 'J' }).success,
    true,
  );
  t.ok(utf8Bytes(sortNameFor(cjk, newEmployeeId())) <= SORT_KEY_MAX_BYTES);
});
