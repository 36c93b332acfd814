import { employeeSchema } from '@empdir/shared';
import t from 'tap';
import { UpstreamError } from '../errors.js';
import { fromItem } from './employee-item.js';
import { storedEmployee } from './stored-employee.js';

const good = {
  id: '0f8fad5b-d9cb-469f-a165-70867728950e',
  fullName: 'Ada Lovelace',
  location: 'London',
  jobTitle: 'Analyst',
  badges: ['apple', 'coffee'],
  photoKey: `employee-pic/${'ab'.repeat(16)}.png`,
  createdAt: '2024-02-29T10:00:00.000Z',
  updatedAt: '2024-03-01T23:59:59.999Z',
  version: 3,
};

t.test('the usual shape: same employee as employeeSchema, in the same field order', async (t) => {
  const item = { ...good, listKey: 'employee', sortName: 'ada lovelace#x', extra: 1 };
  const fast = storedEmployee(item);
  const slow = employeeSchema.parse(item);
  t.same(fast, slow);
  t.same(Object.keys(fast ?? {}), Object.keys(slow));
  const { photoKey: _photoKey, ...noPhoto } = good;
  t.same(Object.keys(storedEmployee(noPhoto) ?? {}), Object.keys(employeeSchema.parse(noPhoto)));
  t.not(fast?.badges, good.badges, 'the badge list is a copy');
});

t.test('anything unusual is left to employeeSchema', async (t) => {
  const unusual: Record<string, unknown>[] = [
    { id: 'not-a-uuid' },
    { id: '0F8FAD5B-D9CB-469F-A165-70867728950E' },
    { fullName: '' },
    { fullName: ' Ada' },
    { fullName: 'x'.repeat(101) },
    { location: 'Lon\u0000don' },
    { jobTitle: 7 },
    { badges: ['coffee', 'apple'] },
    { badges: ['apple', 'apple'] },
    { badges: ['app'] },
    { badges: 'apple' },
    { photoKey: 'employee-pic/../x.png' },
    { photoKey: null },
    { createdAt: '2023-02-29T10:00:00.000Z' },
    { createdAt: '2024-04-31T10:00:00.000Z' },
    { createdAt: '2024-01-01T24:00:00.000Z' },
    { updatedAt: '2024-01-01T10:00:00Z' },
    { updatedAt: '2024-01-01T10:00:00.000+01:00' },
    { version: 0 },
    { version: 1.5 },
    { version: '3' },
  ];
  for (const change of unusual) {
    const item = { ...good, ...change };
    t.equal(storedEmployee(item), undefined, JSON.stringify(change));
    // Whatever the schema makes of it is what fromItem answers (an employee or an upstream error).
    const parsed = employeeSchema.safeParse(item);
    if (parsed.success) t.same(fromItem(item), parsed.data);
    else t.throws(() => fromItem(item), UpstreamError);
  }
});

t.test('month ends the calendar has are taken on the fast path', async (t) => {
  for (const at of [
    '2024-01-31T00:00:00.000Z',
    '2023-02-28T00:00:00.000Z',
    '2024-04-30T00:00:00.000Z',
  ]) {
    t.ok(storedEmployee({ ...good, createdAt: at }), at);
  }
});
