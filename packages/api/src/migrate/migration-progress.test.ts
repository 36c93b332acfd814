import t from 'tap';
import { createProgress } from './migration-progress.js';
import { emptySummary } from './migration-summary.js';

function output(isTTY: boolean) {
  const written: string[] = [];
  return { written, out: { isTTY, write: (text: string) => written.push(text) } };
}

t.test('not a terminal: plain lines at most every lineEveryMs, no carriage returns', async (t) => {
  let nowMs = 0;
  const { written, out } = output(false);
  const progress = createProgress({ out, now: () => nowMs, total: 10, lineEveryMs: 1000 });
  const summary = emptySummary(false);
  for (let i = 1; i <= 10; i++) {
    summary.seen = i;
    summary.migrated = i;
    progress.update(summary);
    nowMs += 300;
  }
  progress.done(summary);
  t.same(written, [
    'migrate: 1/10 items: migrated 1, present 0, skipped 0, failed 0\n',
    'migrate: 5/10 items: migrated 5, present 0, skipped 0, failed 0\n',
    'migrate: 9/10 items: migrated 9, present 0, skipped 0, failed 0\n',
    'migrate: 10/10 items: migrated 10, present 0, skipped 0, failed 0\n',
  ]);
});

t.test('a terminal: one bar redrawn in place, a newline at the end', async (t) => {
  const { written, out } = output(true);
  const progress = createProgress({ out, now: () => 0, total: 4 });
  const summary = emptySummary(false);
  summary.seen = 2;
  progress.update(summary);
  progress.update(summary);
  progress.done(summary);
  t.equal(written.length, 2, 'redraws are throttled');
  t.match(written[0], /^\r\[#{15}\.{15}\] 2\/4 /);
  t.match(written[1], /\n$/);
});
