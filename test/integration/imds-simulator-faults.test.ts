import t, { type Test } from 'tap';
import { imdsHttp } from '../support/imds-http.js';
import { startImdsSimulator } from '../support/imds-simulator.js';

const ROLE_PATH = '/latest/meta-data/iam/security-credentials/';
const CREDS_PATH = `${ROLE_PATH}empdir-app-role`;
const IDENTITY_PATH = '/latest/dynamic/instance-identity/document';

async function simulator(t: Test) {
  const sim = await startImdsSimulator({ now: () => Date.parse('2030-01-01T00:00:00Z') });
  t.teardown(() => sim.close());
  return { sim, ...imdsHttp(sim.url) };
}

t.test('down: sockets are destroyed on arrival, counted, and the count clears it', async (t) => {
  const { sim, putToken } = await simulator(t);
  sim.setFault({ kind: 'down', count: 2 });
  await t.rejects(putToken('60'), TypeError);
  await t.rejects(putToken('60'), TypeError);
  t.equal((await putToken('60')).status, 200, 'back after two');
  t.equal(sim.counters().total, 3);
  t.same(sim.counters().byStatus, { '200': 1 });
});

t.test('status faults answer each status, scoped to their paths', async (t) => {
  const { sim, token, get } = await simulator(t);
  for (const status of [500, 503, 429, 404] as const) {
    sim.setFault({ kind: 'status', status, paths: 'credentials' });
    const tok = await token();
    t.equal((await get(ROLE_PATH, tok)).status, 200, `${status}: role listing untouched`);
    t.equal((await get(CREDS_PATH, tok)).status, status, `${status}: credentials fail`);
  }
  sim.setFault({ kind: 'none' });
  t.equal((await get(CREDS_PATH, await token())).status, 200, 'none clears the fault');
});

t.test('count faults apply to the next n matching requests only', async (t) => {
  const { sim, token, get, putToken } = await simulator(t);
  sim.setFault({ kind: 'status', status: 503, count: 2, paths: 'token' });
  t.equal((await putToken('60')).status, 503);
  t.equal((await putToken('60')).status, 503);
  const tok = await token();
  t.equal((await get(ROLE_PATH, tok)).status, 200);
  sim.setFault({ kind: 'status', status: 500, count: 1, paths: 'role' });
  t.equal((await get(CREDS_PATH, tok)).status, 200, 'credentials path does not spend a role fault');
  t.equal((await get(ROLE_PATH, tok)).status, 500);
  t.equal((await get(ROLE_PATH, tok)).status, 200);
  sim.setFault({ kind: 'status', status: 404, paths: 'identity', count: 1 });
  t.equal((await get(IDENTITY_PATH, tok)).status, 404);
  t.equal((await get('/latest/meta-data/instance-id', tok)).status, 200);
});

t.test('slow delays the answer long enough to trip a client timeout', async (t) => {
  const { sim, token, get } = await simulator(t);
  const tok = await token();
  sim.setFault({ kind: 'slow', delayMs: 80, count: 1 });
  await t.rejects(get(CREDS_PATH, tok, { signal: AbortSignal.timeout(20) }), {
    name: 'TimeoutError',
  });
  sim.setFault({ kind: 'slow', delayMs: 10, count: 1 });
  const started = performance.now();
  const response = await get(CREDS_PATH, tok);
  t.equal(response.status, 200, 'a short delay still answers');
  t.ok(performance.now() - started >= 9, 'after the delay');
  sim.setFault({ kind: 'slow', delayMs: 60_000 });
  const arrivedBefore = sim.counters().byPath[CREDS_PATH] ?? 0;
  const pending = get(CREDS_PATH, tok).catch((error: unknown) => error);
  // The request must be inside the delay when close() comes, not still connecting.
  while ((sim.counters().byPath[CREDS_PATH] ?? 0) === arrivedBefore) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await sim.close();
  const error = await pending;
  t.type(error, TypeError, 'close() ends a delayed request instead of waiting');
  t.match(
    (error as { cause?: unknown }).cause,
    { code: 'UND_ERR_SOCKET' },
    'the open connection was closed (not refused)',
  );
});

t.test('malformed spoils only the JSON documents', async (t) => {
  const { sim, token, get } = await simulator(t);
  const tok = await token();
  sim.setFault({ kind: 'malformed', count: 2 });
  t.equal(await (await get(ROLE_PATH, tok)).text(), 'empdir-app-role', 'listing is not a document');
  const body = await text(get(CREDS_PATH, tok));
  t.throws(() => JSON.parse(body), SyntaxError, 'credentials are not JSON');
  const identityBody = await text(get(IDENTITY_PATH, tok));
  t.throws(() => JSON.parse(identityBody), SyntaxError, 'identity document is not JSON');
  t.same(await (await get(CREDS_PATH, tok)).json(), sim.currentCredentials(), 'count spent');

  sim.setFault({ kind: 'malformed', variant: 'code', paths: 'credentials' });
  const doc = await (await get(CREDS_PATH, tok)).json();
  t.not(doc.Code, 'Success');
  t.equal(doc.AccessKeyId, sim.currentCredentials().AccessKeyId);
});

const NOW_MS = Date.parse('2030-01-01T00:00:00Z');

t.test('every answer carries a Date header from the injected clock', async (t) => {
  const { token, get } = await simulator(t);
  const tok = await token();
  const response = await get(CREDS_PATH, tok);
  t.equal(response.headers.get('date'), new Date(NOW_MS).toUTCString());
  t.equal((await get(ROLE_PATH)).headers.get('date'), new Date(NOW_MS).toUTCString(), '401 too');
});

t.test('expired-document: same keys, Expiration in the past; other paths untouched', async (t) => {
  const { sim, token, get } = await simulator(t);
  sim.setFault({ kind: 'expired-document', count: 2 });
  const tok = await token();
  t.equal(await text(get(ROLE_PATH, tok)), 'empdir-app-role', 'token and listing do not spend it');
  const doc = await (await get(CREDS_PATH, tok)).json();
  t.equal(doc.Code, 'Success');
  t.equal(doc.AccessKeyId, sim.currentCredentials().AccessKeyId);
  t.equal(doc.Expiration, '2029-12-31T23:59:00Z', '60 s ago by default');
  sim.setFault({ kind: 'expired-document', expiredForMs: 3_600_000 });
  t.equal((await (await get(CREDS_PATH, tok)).json()).Expiration, '2029-12-31T23:00:00Z');
});

t.test('same-document: rotations are not seen until the fault clears', async (t) => {
  const { sim, token, get } = await simulator(t);
  const tok = await token();
  const before = sim.currentCredentials();
  sim.setFault({ kind: 'same-document' });
  sim.rotateCredentials();
  t.not(sim.currentCredentials().AccessKeyId, before.AccessKeyId);
  t.same(await (await get(CREDS_PATH, tok)).json(), before, 'the pinned document');
  t.same(await (await get(CREDS_PATH, tok)).json(), before);
  sim.setFault({ kind: 'none' });
  t.same(await (await get(CREDS_PATH, tok)).json(), sim.currentCredentials());
});

t.test(
  'skewed-date: IMDS time runs ahead (or behind) in the Date header and the document',
  async (t) => {
    const { sim, token, get } = await simulator(t);
    const tok = await token();
    sim.setFault({ kind: 'skewed-date', skewMs: 600_000 });
    const response = await get(CREDS_PATH, tok);
    t.equal(response.headers.get('date'), new Date(NOW_MS + 600_000).toUTCString());
    const doc = await response.json();
    const current = sim.currentCredentials();
    t.equal(Date.parse(doc.LastUpdated), Date.parse(current.LastUpdated) + 600_000);
    t.equal(Date.parse(doc.Expiration), Date.parse(current.Expiration) + 600_000);
    t.equal(doc.AccessKeyId, current.AccessKeyId);
    sim.setFault({ kind: 'skewed-date', skewMs: -120_000, paths: 'role' });
    t.equal(
      (await get(ROLE_PATH, tok)).headers.get('date'),
      new Date(NOW_MS - 120_000).toUTCString(),
    );
    t.equal((await get(CREDS_PATH, tok)).headers.get('date'), new Date(NOW_MS).toUTCString());
  },
);

t.test('slow-token: the token PUT hangs (hop-limit symptom); GETs answer at once', async (t) => {
  const { sim, token, get } = await simulator(t);
  const tok = await token();
  sim.setFault({ kind: 'slow-token' });
  t.equal((await get(CREDS_PATH, tok)).status, 200, 'with a token in hand, reads work');
  await t.rejects(
    fetch(`${sim.url}/latest/api/token`, {
      method: 'PUT',
      headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' },
      signal: AbortSignal.timeout(30),
    }),
    { name: 'TimeoutError' },
  );
});

t.test('slow faults wait on an injected sleep when one is given (simulated time)', async (t) => {
  let wake: () => void = () => undefined;
  const sim = await startImdsSimulator({
    now: () => NOW_MS,
    sleep: () => new Promise<void>((resolve) => (wake = resolve)),
    fault: { kind: 'slow-token', delayMs: 60_000 },
  });
  t.teardown(() => sim.close());
  const pending = imdsHttp(sim.url).putToken('60');
  while (sim.parked() === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  t.equal(sim.parked(), 1, 'parked on the injected sleep');
  wake();
  t.equal((await pending).status, 200, 'answers once the simulated time has passed');
  t.equal(sim.parked(), 0);
});

t.test('bad faults are refused with every problem named', async (t) => {
  const { sim } = await simulator(t);
  t.throws(() => sim.setFault({ kind: 'status', status: 418 } as never), /status must be one of/);
  t.throws(() => sim.setFault({ kind: 'slow', delayMs: -1, count: 0 } as never), {
    message: /count must be a positive integer; delayMs must be/,
  });
  t.throws(
    () => sim.setFault({ kind: 'nope', paths: 'x' } as never),
    /paths must be.*kind must be/,
  );
  t.throws(() => sim.setRateLimit({ ratePerSecond: 0, burst: 1 }), RangeError);
});

async function text(response: Promise<Response>) {
  return (await response).text();
}
