import t from 'tap';
import { ClockSkew } from './clock-skew.js';
import { FakeClock } from './fake-clock.js';
import { createLogger } from './log.js';

function setup() {
  const clock = new FakeClock({ startMs: Date.UTC(2026, 0, 1, 12) });
  const lines: string[] = [];
  const log = createLogger({ level: 'info', destination: { write: (l: string) => lines.push(l) } });
  const gauge: number[] = [];
  const skew = new ClockSkew({ clock, log, onChange: (seconds) => gauge.push(seconds) });
  const warnings = () => lines.filter((line) => line.includes('more than 5 minutes off'));
  return { clock, skew, gauge, warnings, lines };
}

const httpDate = (ms: number) => new Date(ms).toUTCString();

t.test('a Date header a few minutes ahead: expiry is judged on IMDS time', async (t) => {
  const { clock, skew, gauge, warnings } = setup();
  skew.observeDate(httpDate(clock.now() + 180_000));
  t.equal(skew.skewMs, 180_500, 'the middle of the header second');
  t.equal(skew.toLocalMs(clock.now() + 600_000), clock.now() + 600_000 - 180_500);
  t.same(gauge, [180.5]);
  t.same(warnings(), [], 'no warning under 5 minutes');
});

t.test('a second or so of difference is noise: no correction', async (t) => {
  const { clock, skew, gauge } = setup();
  skew.observeDate(httpDate(clock.now() + 1_000));
  skew.observeDate(httpDate(clock.now() - 1_000));
  t.equal(skew.skewMs, 0);
  t.same(gauge, []);
  skew.observeDate('not a date');
  skew.observeDate(undefined);
  t.equal(skew.skewMs, 0);
});

t.test('past 5 minutes: one warning per episode, and a note when it is over', async (t) => {
  const { clock, skew, warnings, lines } = setup();
  skew.observeDate(httpDate(clock.now() - 20 * 60_000));
  skew.observeDate(httpDate(clock.now() - 21 * 60_000));
  t.equal(skew.skewMs, -21 * 60_000 + 500, 'the local clock is ahead');
  t.equal(warnings().length, 1);
  skew.observeDate(httpDate(clock.now()));
  t.equal(skew.skewMs, 0);
  t.equal(lines.filter((line) => line.includes('back under 5 minutes')).length, 1);
  skew.observeDate(httpDate(clock.now() + 6 * 60_000));
  t.equal(warnings().length, 2, 'a new episode warns again');
});

t.test('LastUpdated in our future is a lower bound, used only without a Date header', async (t) => {
  const { clock, skew } = setup();
  skew.observeLastUpdated(new Date(clock.now() - 3_600_000).toISOString());
  t.equal(skew.skewMs, 0, 'written an hour ago: says nothing');
  skew.observeLastUpdated(new Date(clock.now() + 420_000).toISOString());
  t.equal(skew.skewMs, 420_000, 'written 7 min in our future: we are at least 7 min behind');
  skew.observeDate(httpDate(clock.now() + 600_000));
  skew.observeLastUpdated(new Date(clock.now() + 60_000).toISOString());
  t.equal(skew.skewMs, 600_500, 'the Date header wins once seen');
});
