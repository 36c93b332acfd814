import t from 'tap';
import { AuditLog } from './audit-log.js';
import type { CallerDetails } from './caller-identity.js';
import type { Connection } from './connection-guard.js';
import { FakeClock } from './fake-clock.js';
import { createLogger } from './log.js';

function setup(maxLinesPerMinute?: number) {
  const clock = new FakeClock({ startMs: 1_000_000 });
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({
    level: 'info',
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  let suppressed = 0;
  const audit = new AuditLog({
    log,
    clock,
    intervalMs: 60_000,
    ...(maxLinesPerMinute ? { maxLinesPerMinute } : {}),
    onSuppressed: () => suppressed++,
    userName: (uid) => (uid === 1001 ? 'backup' : undefined),
  });
  /** A connection whose caller lookup finishes when the test says. */
  const connection = (caller: CallerDetails) => {
    let finish: () => void = () => undefined;
    const looked = new Promise<CallerDetails>((resolve) => {
      finish = () => resolve(caller);
    });
    let lookups = 0;
    const conn: Connection = {
      caller: undefined,
      ready: undefined,
      refused: undefined,
      audited: undefined,
      details: () => {
        lookups += 1;
        return looked;
      },
    };
    return { conn, finish, lookups: () => lookups };
  };
  return { clock, lines, audit, connection, suppressed: () => suppressed };
}

const KEY = ['AS', 'IA', 'EXAMPLE', 'KEY00001'].join('');
const caller = { uid: 1001, pid: 42, command: 'aws', unit: 'backup.service' };
const flush = () => new Promise((resolve) => setImmediate(resolve));

t.test('one line per caller and key per interval, with the count since the last', async (t) => {
  const { clock, lines, audit, connection } = setup();
  const a = connection(caller);
  audit.issued(a.conn, 'app-role', KEY);
  audit.issued(a.conn, 'app-role', KEY);
  a.finish();
  await flush();
  t.equal(a.lookups(), 1, 'the caller is looked up once per connection');
  t.same(lines.length, 1);
  t.match(lines[0], {
    msg: 'credentials issued',
    uid: 1001,
    user: 'backup',
    unit: 'backup.service',
    command: 'aws',
    callerPid: 42,
    role: 'app-role',
    accessKeyIdPrefix: KEY.slice(0, 8),
    issued: 2,
  });
  t.notOk(JSON.stringify(lines).includes(KEY), 'only the prefix');
  const b = connection(caller);
  audit.issued(b.conn, 'app-role', KEY);
  b.finish();
  await flush();
  audit.issued(a.conn, 'app-role', KEY);
  t.equal(lines.length, 1, 'same caller and key inside the interval: counted, not written');
  clock.advance(60_000);
  audit.issued(b.conn, 'app-role', KEY);
  t.equal(lines.length, 2);
  t.match(lines[1], { issued: 3 }, 'b, a, then b again');
  audit.issued(a.conn, 'app-role', `${KEY.slice(0, 19)}2`);
  a.finish();
  await flush();
  t.equal(lines.length, 3, 'a new access key is a new line');
});

t.test('a line budget bounds the log; held-back lines are counted', async (t) => {
  const { lines, audit, connection, suppressed } = setup(6);
  for (let uid = 0; uid < 5; uid++) {
    const c = connection({ uid });
    audit.issued(c.conn, 'app-role', KEY);
    c.finish();
  }
  await flush();
  t.equal(lines.length, 1, 'a burst of one line at 6 a minute');
  t.equal(suppressed(), 4);
});
