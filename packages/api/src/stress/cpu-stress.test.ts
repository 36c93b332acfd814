import t from 'tap';
import { createLogger } from '../log.js';
import { createWorkerCpuStress, unavailableCpuStress } from './cpu-stress.js';

t.test('one run at a time, ends by itself, stoppable (a minute shortened to 20 ms)', async (t) => {
  let nowMs = 1_000;
  const stress = createWorkerCpuStress({
    now: () => nowMs,
    logger: createLogger('silent'),
    threads: 1,
    minuteMs: 20,
  });
  t.teardown(() => stress.stop());
  t.same(stress.start(1), { started: true, untilMs: 1_020 });
  t.equal(stress.runningUntilMs(), 1_020);
  nowMs = 1_010;
  t.same(stress.start(10), { started: false, untilMs: 1_020 }, 'second request refused');
  // The run's own timer ends it (a real 20 ms delay is what this tests).
  await new Promise((resolve) => setTimeout(resolve, 60));
  t.equal(stress.runningUntilMs(), undefined);
  t.same(stress.start(5), { started: true, untilMs: 1_110 });
  await stress.stop();
  t.equal(stress.runningUntilMs(), undefined, 'stopped at shutdown');
});

t.test('unavailable on Lambda', async (t) => {
  t.equal(unavailableCpuStress.available, false);
  t.throws(() => unavailableCpuStress.start(1));
  await unavailableCpuStress.stop();
});
