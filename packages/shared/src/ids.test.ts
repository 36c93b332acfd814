import t from 'tap';
import {
  employeeIdSchema,
  newEmployeeId,
  newPhotoKey,
  PHOTO_KEY_PREFIX,
  photoKeySchema,
} from './ids.js';

const messages = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.success ? 'ok' : result.error?.issues.map((issue) => issue.message);

t.test('employee ids are UUIDs, and nothing else is one', async (t) => {
  t.equal(messages(employeeIdSchema.safeParse(newEmployeeId())), 'ok');
  for (const bad of ['', 'not-a-uuid', `${newEmployeeId()}x`, '../etc/passwd']) {
    t.same(messages(employeeIdSchema.safeParse(bad)), ['employee id must be a UUID'], bad);
  }
});

t.test('photo keys: employee-pic/<32 hex>.png, the whole key and nothing around it', async (t) => {
  const key = newPhotoKey();
  t.ok(key.startsWith(PHOTO_KEY_PREFIX));
  t.equal(messages(photoKeySchema.safeParse(key)), 'ok');
  const hex = key.slice(PHOTO_KEY_PREFIX.length, -'.png'.length);
  for (const bad of [
    `x/${key}`,
    `${key}.exe`,
    `${key}\n`,
    `employee-pic/${hex.toUpperCase()}.png`,
    `employee-pic/${hex.slice(1)}.png`,
    'employee-pic/../../etc/passwd.png',
  ]) {
    t.same(
      messages(photoKeySchema.safeParse(bad)),
      ['photo key must be employee-pic/<32 hex>.png'],
      bad,
    );
  }
});
