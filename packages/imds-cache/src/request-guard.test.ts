import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import t from 'tap';
import { FakeClock } from './fake-clock.js';
import {
  AuthFailureBuckets,
  allowedHosts,
  checkAuthorization,
  checkOrigin,
  digest,
} from './request-guard.js';

/** Only the headers are read by the guard. */
const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
const TOKEN = 'the-token';
const tokens = { match: (given: string) => (given === TOKEN ? 'main' : undefined) };
const caught = (fn: () => void) => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
};

t.test(
  'allowed hosts: our own address, localhost and 127.0.0.1 on our port, lower case',
  async (t) => {
    t.same(
      [...allowedHosts('127.0.0.2', 9911)],
      ['127.0.0.2:9911', 'localhost:9911', '127.0.0.1:9911'],
    );
    t.same([...allowedHosts('::1', 80)], ['[::1]:80', 'localhost:80', '127.0.0.1:80']);
    t.same([...allowedHosts('FE80::1', 1)], ['[fe80::1]:1', 'localhost:1', '127.0.0.1:1']);
  },
);

t.test('origin: our Host in any case passes; another Host, none, or a proxy is 403', async (t) => {
  const hosts = allowedHosts('127.0.0.1', 9911);
  t.equal(
    caught(() => checkOrigin(req({ host: '127.0.0.1:9911' }), hosts)),
    undefined,
  );
  t.equal(
    caught(() => checkOrigin(req({ host: 'LOCALHOST:9911' }), hosts)),
    undefined,
  );
  t.match(
    caught(() => checkOrigin(req({ host: 'evil.example:9911' }), hosts)),
    {
      status: 403,
      message: 'Host header not allowed',
    },
  );
  t.match(
    caught(() => checkOrigin(req({ host: '' }), hosts)),
    { status: 403 },
  );
  t.match(
    caught(() => checkOrigin(req({}), hosts)),
    { status: 403, code: 'forbidden' },
  );
  // Even an empty X-Forwarded-For says a proxy was on the way.
  for (const xff of ['', '10.0.0.1']) {
    t.match(
      caught(() => checkOrigin(req({ host: '127.0.0.1:9911', 'x-forwarded-for': xff }), hosts)),
      { status: 403, message: /X-Forwarded-For/ },
    );
  }
});

t.test('authorization: the right token passes and spends nothing', async (t) => {
  const failures = new AuthFailureBuckets({ clock: new FakeClock(), burst: 1, ratePerSecond: 1 });
  for (let i = 0; i < 5; i++) {
    t.equal(
      caught(() => checkAuthorization(req({ authorization: TOKEN }), tokens, failures, 7)),
      undefined,
    );
  }
  t.ok(failures.tryTake(7), 'the failure bucket is still full');
});

t.test('authorization: missing or empty 401, wrong 403, each spending a failure', async (t) => {
  const failures = new AuthFailureBuckets({ clock: new FakeClock(), burst: 3, ratePerSecond: 1 });
  const spent = () => !failures.tryTake(1);
  // An empty header is missing, even for a token check that would accept ''.
  const lax = { match: () => 'any' };
  t.match(
    caught(() => checkAuthorization(req({ authorization: '' }), lax, failures, 1)),
    {
      status: 401,
      code: 'unauthorized',
    },
  );
  t.match(
    caught(() => checkAuthorization(req({}), lax, failures, 1)),
    { status: 401 },
  );
  t.match(
    caught(() => checkAuthorization(req({ authorization: 'nope' }), tokens, failures, 1)),
    {
      status: 403,
      code: 'forbidden',
      message: 'Authorization token does not match any token file',
    },
  );
  t.ok(spent(), 'three failures spent the burst of 3');
});

t.test('authorization: once a uid has failed its burst it gets 503 + Retry-After', async (t) => {
  const clock = new FakeClock();
  const failures = new AuthFailureBuckets({ clock });
  const wrong = () =>
    caught(() => checkAuthorization(req({ authorization: 'x' }), tokens, failures, 1));
  for (let i = 0; i < 10; i++)
    t.match(wrong(), { status: 403 }, `failure ${i + 1} of the default burst of 10`);
  t.match(wrong(), {
    status: 503,
    code: 'rate_limited',
    headers: { 'Retry-After': '1' },
    message: 'too many failed authentications; retry shortly',
  });
  t.equal(
    caught(() => checkAuthorization(req({ authorization: TOKEN }), tokens, failures, 1)),
    undefined,
    'the right token still passes',
  );
  t.match(
    caught(() => checkAuthorization(req({ authorization: 'x' }), tokens, failures, 2)),
    { status: 403 },
    'another uid has its own bucket',
  );
  // The default refill is 2 a second: one more attempt after 500 ms, not before.
  clock.advance(499);
  t.match(wrong(), { status: 503 });
  clock.advance(1);
  t.match(wrong(), { status: 403 });
  t.match(wrong(), { status: 503 });
});

t.test('callers of unknown uid share one bucket', async (t) => {
  const failures = new AuthFailureBuckets({ clock: new FakeClock(), burst: 1 });
  t.ok(failures.tryTake(undefined));
  t.notOk(failures.tryTake(undefined));
  t.ok(failures.tryTake(0), 'uid 0 is a uid, not unknown');
});

t.test('the per-uid table is bounded: past 4096 uids it starts afresh', async (t) => {
  const failures = new AuthFailureBuckets({ clock: new FakeClock(), burst: 1 });
  t.ok(failures.tryTake(0));
  let fresh = 0;
  for (let uid = 1; uid < 4096; uid++) if (failures.tryTake(uid)) fresh += 1;
  t.equal(fresh, 4095, 'each uid has a bucket of its own');
  t.notOk(failures.tryTake(0), '4096 buckets held: uid 0 is still spent');
  failures.tryTake(4096);
  t.ok(failures.tryTake(0), 'the 4097th uid cleared the table: uid 0 starts with a full bucket');
});

t.test('digest: the SHA-256 of the value, as a 32-byte buffer', async (t) => {
  const d = digest('abc');
  t.ok(Buffer.isBuffer(d));
  t.equal(d.toString('hex'), createHash('sha256').update('abc').digest('hex'));
});
