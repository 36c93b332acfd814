// Who is calling: each connection's uid (and process) from /proc, once per connection; caps on
// connections per uid and overall; slow clients cut off; the facade's user list; the audit log.
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import t, { type Test } from 'tap';
import { type Stack, startStack, until } from './imds-cache-harness.js';

const uid = process.getuid?.() ?? -1;

/** A GET on its own keep-alive connection (one agent = one socket), kept open until teardown. */
function onConnection(stack: Stack, agent: Agent, path = '/v1/credentials', method = 'GET') {
  return new Promise<{ status: number; headers: Record<string, unknown>; text: string }>(
    (resolve, reject) => {
      const req = request(
        `${stack.daemon.url}${path}`,
        { agent, method, headers: { Authorization: stack.token } },
        (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
}

function agents(t: Test, count: number) {
  const list = Array.from({ length: count }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
  t.teardown(() => {
    for (const agent of list) agent.destroy();
  });
  return list;
}

const logged = (stack: Stack, msg: string) =>
  stack.logLines.map((l) => JSON.parse(l)).filter((l) => l.msg === msg);

t.test('one uid may hold only so many connections; the next gets 503 and is closed', async (t) => {
  const stack = await startStack(t, {
    env: { IMDS_CACHE_MAX_CONNECTIONS: '10', IMDS_CACHE_MAX_CONNECTIONS_PER_UID: '2' },
  });
  const [a, b, c] = agents(t, 3) as [Agent, Agent, Agent];
  t.equal((await onConnection(stack, a)).status, 200);
  t.equal((await onConnection(stack, b)).status, 200);
  const third = await onConnection(stack, c);
  t.equal(third.status, 503, 'over the per-uid cap');
  t.equal(third.headers['retry-after'], '1');
  t.equal(third.headers.connection, 'close');
  t.match(JSON.parse(third.text), { code: 'rate_limited', message: /from this user/ });
  t.equal((await onConnection(stack, a)).status, 200, 'the first connections keep working');
  a.destroy();
  await until(async () => (await onConnection(stack, c)).status === 200);
  t.pass('a freed slot is taken again');
});

t.test('the overall cap refuses with 503 too', async (t) => {
  const stack = await startStack(t, {
    env: { IMDS_CACHE_MAX_CONNECTIONS: '2', IMDS_CACHE_MAX_CONNECTIONS_PER_UID: '2' },
  });
  const [a, b, c] = agents(t, 3) as [Agent, Agent, Agent];
  t.equal((await onConnection(stack, a)).status, 200);
  t.equal((await onConnection(stack, b)).status, 200);
  const third = await onConnection(stack, c);
  t.equal(third.status, 503);
  t.match(JSON.parse(third.text), { message: /too many connections;/ });
});

t.test('a client that never finishes its headers is cut off (slowloris)', async (t) => {
  const stack = await startStack(t, {
    env: { IMDS_CACHE_HEADERS_TIMEOUT_MS: '200', IMDS_CACHE_REQUEST_TIMEOUT_MS: '400' },
  });
  const { port } = new URL(stack.daemon.url);
  const socket = connect(Number(port), '127.0.0.1');
  let answer = '';
  socket.on('data', (chunk) => (answer += chunk));
  socket.write(`GET /v1/credentials HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `);
  await new Promise((resolve) => socket.once('close', resolve));
  t.match(answer, /^HTTP\/1\.1 408/, 'answered 408 and closed');
});

t.test('the audit log names the caller: uid, command, pid, role, key prefix', async (t) => {
  const stack = await startStack(t);
  const [a] = agents(t, 1) as [Agent];
  for (let i = 0; i < 3; i++) t.equal((await onConnection(stack, a)).status, 200);
  await until(() => logged(stack, 'credentials issued').length === 1);
  const creds = stack.sim.currentCredentials();
  t.match(logged(stack, 'credentials issued')[0], {
    audit: 'credentials_issued',
    uid,
    callerPid: process.pid,
    command: /^node/,
    role: 'empdir-app-role',
    accessKeyIdPrefix: creds.AccessKeyId.slice(0, 8),
    issued: Number,
  });
  const text = stack.logLines.join('\n');
  t.notOk(text.includes(creds.AccessKeyId), 'never the whole access key id');
  t.notOk(text.includes(creds.SecretAccessKey), 'never the secret');
});

t.test('refusals name the caller', async (t) => {
  const stack = await startStack(t);
  const response = await fetch(`${stack.daemon.url}/v1/credentials`, {
    headers: { Authorization: 'wrong' },
  });
  t.equal(response.status, 403);
  await until(() => logged(stack, 'request refused').length === 1);
  t.match(logged(stack, 'request refused')[0], {
    status: 403,
    route: '/v1/credentials',
    caller: { uid, pid: process.pid, command: /^node/ },
  });
});

t.test('the IMDS facade serves only IMDS_CACHE_FACADE_USERS', async (t) => {
  const put = async (stack: Stack) =>
    fetch(`${stack.daemon.url}/latest/api/token`, {
      method: 'PUT',
      headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '60' },
    });
  const others = await startStack(t, {
    env: { IMDS_CACHE_IMDS_FACADE: 'on', IMDS_CACHE_FACADE_USERS: String(uid + 1) },
  });
  const refused = await put(others);
  t.equal(refused.status, 403);
  t.match(await refused.json(), { message: new RegExp(`does not serve uid ${uid}\\b`) });
  const ours = await startStack(t, {
    env: { IMDS_CACHE_IMDS_FACADE: 'on', IMDS_CACHE_FACADE_USERS: String(uid) },
  });
  const session = await put(ours);
  t.equal(session.status, 200, 'listed by uid');
  const role = 'empdir-app-role';
  const read = await fetch(`${ours.daemon.url}/latest/meta-data/iam/security-credentials/${role}`, {
    headers: { 'X-aws-ec2-metadata-token': await session.text() },
  });
  t.equal(read.status, 200);
  await until(() => logged(ours, 'credentials issued').length === 1);
  t.match(logged(ours, 'credentials issued')[0], { uid, role }, 'audited like /v1/credentials');
  const byName = await startStack(t, {
    env: {
      IMDS_CACHE_IMDS_FACADE: 'on',
      IMDS_CACHE_FACADE_USERS: uid === 0 ? 'root' : String(uid),
    },
  });
  t.equal((await put(byName)).status, 200, 'listed by name');
});
