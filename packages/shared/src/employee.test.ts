import t from 'tap';
import { BADGE_KEYS, BADGES } from './badges.js';
import {
  employeeCreateSchema,
  employeePageSchema,
  employeeSchema,
  employeeUpdateSchema,
} from './employee.js';
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

/** Each issue as `path: message`, sorted, or 'ok'. */
function problems(result: {
  success: boolean;
  error?: { issues: { path: PropertyKey[]; message: string }[] };
}) {
  if (result.success) return 'ok';
  return (result.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`).sort();
}

t.test('each text field names itself in what is wrong with it', async (t) => {
  t.same(problems(employeeCreateSchema.safeParse({})), [
    'fullName: Full name is required',
    'jobTitle: Job title is required',
    'location: Location is required',
  ]);
  t.same(problems(employeeCreateSchema.safeParse({ fullName: ' ', location: 2, jobTitle: '' })), [
    'fullName: Full name is required',
    'jobTitle: Job title is required',
    'location: Location is required',
  ]);
  const long = 'x'.repeat(101);
  t.same(
    problems(employeeCreateSchema.safeParse({ fullName: long, location: long, jobTitle: long })),
    [
      'fullName: Full name must be at most 100 characters',
      'jobTitle: Job title must be at most 100 characters',
      'location: Location must be at most 100 characters',
    ],
  );
  const fits = 'x'.repeat(100);
  t.equal(
    problems(employeeCreateSchema.safeParse({ fullName: fits, location: fits, jobTitle: fits })),
    'ok',
  );
  t.same(
    problems(
      employeeCreateSchema.safeParse({ fullName: 'A\tB', location: 'L\u007F', jobTitle: 'J\nK' }),
    ),
    [
      'fullName: Full name must not contain control characters',
      'jobTitle: Job title must not contain control characters',
      'location: Location must not contain control characters',
    ],
  );
});

t.test('the normalised name may use exactly its byte budget, not one byte more', async (t) => {
  // U+FDFA normalises to 33 bytes of UTF-8: 29 of them and 30 ASCII letters are 987 bytes.
  const atLimit = `${'\uFDFA'.repeat(29)}${'a'.repeat(30)}`;
  const fields = { location: 'L', jobTitle: 'J' };
  t.equal(problems(employeeCreateSchema.safeParse({ ...fields, fullName: atLimit })), 'ok');
  t.same(problems(employeeCreateSchema.safeParse({ ...fields, fullName: `${atLimit}a` })), [
    'fullName: Full name is too long once normalised (NFKC): at most 987 bytes of UTF-8',
  ]);
});

t.test('an update whose fields are all undefined is no update', async (t) => {
  t.same(problems(employeeUpdateSchema.safeParse({ badges: undefined, location: undefined })), [
    ': send at least one of fullName, location, jobTitle, badges',
  ]);
  t.same(
    employeeUpdateSchema.parse({ badges: [] }),
    { badges: [] },
    'an empty badge list is a change',
  );
});

t.test('a stored employee and a page of them read back whole; versions start at 1', async (t) => {
  const stored = {
    id: newEmployeeId(),
    fullName: 'Ada Lovelace',
    location: 'London',
    jobTitle: 'Analyst',
    badges: ['apple', 'bug'],
    photoKey: newPhotoKey(),
    createdAt: '2026-11-22T10:00:00.000Z',
    updatedAt: '2026-11-22T11:00:00.000Z',
    version: 2,
  };
  t.same(employeeSchema.parse(stored), stored);
  t.same(employeeSchema.parse({ ...stored, version: 1 }).version, 1);
  t.same(problems(employeeSchema.safeParse({ ...stored, version: 0 })), [
    'version: Too small: expected number to be >=1',
  ]);
  const page = { items: [stored], nextCursor: 'next' };
  t.same(employeePageSchema.parse(page), page);
  t.same(employeePageSchema.parse({ items: [] }), { items: [] }, 'the last page has no cursor');
});
