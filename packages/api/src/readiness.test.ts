import t from 'tap';
import { MemoryEmployeeStore } from '../test-support/memory-employee-store.js';
import { MemoryPhotoStore } from '../test-support/memory-photo-store.js';
import { createLogger } from './log.js';
import { createReadinessCheck } from './readiness.js';

t.test('checks table and bucket, caches the answer for cacheMs', async (t) => {
  let nowMs = 0;
  const employees = new MemoryEmployeeStore();
  const photos = new MemoryPhotoStore(() => nowMs);
  const check = createReadinessCheck({
    employees,
    photos,
    now: () => nowMs,
    cacheMs: 5_000,
    logger: createLogger('silent'),
  });
  t.same(await check(), { ready: true, checks: { table: 'ok', bucket: 'ok' } });
  photos.failing.add('ready');
  t.equal((await check()).ready, true, 'cached');
  nowMs = 5_000;
  t.same(await check(), { ready: false, checks: { table: 'ok', bucket: 'unavailable' } });
  employees.unavailable = true;
  nowMs = 10_000;
  const [a, b] = await Promise.all([check(), check()]);
  t.same(a, { ready: false, checks: { table: 'unavailable', bucket: 'unavailable' } });
  t.equal(a, b, 'concurrent probes share one check');
  t.equal(employees.calls.filter((c) => c === 'checkReady').length, 3);
});
