import t from 'tap';
import { createTestDeps } from '../test-support/fake-deps.js';
import { sampleImage } from '../test-support/sample-images.js';
import { EmployeeService } from './employee-service.js';
import { UpstreamError, VersionConflictError } from './errors.js';

const lost = () => new UpstreamError('dynamodb', 'unavailable', new Error('socket hang up'));

/** A service whose next store update applies (or not) and then fails as a lost response would. */
function setup(applyThenFail: boolean) {
  const deps = createTestDeps();
  const employee = deps.seed();
  const update = deps.employees.update.bind(deps.employees);
  deps.employees.update = async (...args) => {
    if (applyThenFail) await update(...args);
    throw lost();
  };
  return { deps, employee, service: new EmployeeService(deps) };
}

t.test(
  'a failed write with an unknown outcome keeps the photo the item now points to',
  async (t) => {
    const { deps, employee, service } = setup(true);
    await t.rejects(
      service.update(employee.id, {}, { photo: await sampleImage(20, 20) }),
      UpstreamError,
    );
    const key = deps.employees.items.get(employee.id)?.photoKey;
    t.ok(key, 'the write was applied');
    t.ok(deps.photos.objects.has(key ?? ''), 'its photo was not deleted');
  },
);

t.test('a failed write the item does not reflect discards the new photo', async (t) => {
  const { deps, employee, service } = setup(false);
  await t.rejects(
    service.update(employee.id, {}, { photo: await sampleImage(20, 20) }),
    UpstreamError,
  );
  t.equal(deps.employees.items.get(employee.id)?.photoKey, undefined);
  t.equal(deps.photos.objects.size, 0, 'no orphan left');
});

t.test('a refused write discards the new photo without re-reading', async (t) => {
  const deps = createTestDeps();
  const employee = deps.seed();
  deps.employees.update = async () => {
    throw new VersionConflictError(employee.version + 1);
  };
  const service = new EmployeeService(deps);
  await t.rejects(service.update(employee.id, {}, { photo: await sampleImage(20, 20) }));
  t.equal(deps.photos.objects.size, 0);
});
