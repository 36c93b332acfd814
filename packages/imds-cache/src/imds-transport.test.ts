import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { ImdsRequestError } from './errors.js';
import { httpTransport } from './imds-transport.js';

t.test('the HTTP transport: statuses, a whole-request deadline, broken connections', async (t) => {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    if (req.url === '/slow') return; // never answers: only the deadline ends it
    if (req.url === '/drop') return req.socket.destroy();
    res.writeHead(req.url === '/ok' ? 200 : 503).end(req.url === '/ok' ? 'body' : 'nope');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  // A roomy deadline for answers, a short one (a real, socket-level wait) for the silent path.
  const send = httpTransport({ endpoint, timeoutMs: 10_000 });
  const sendShort = httpTransport({ endpoint, timeoutMs: 50 });
  const get = (path: string) =>
    (path === '/slow' ? sendShort : send)({
      method: 'GET',
      path,
      headers: { 'X-Forwarded-For': '10.0.0.1', 'x-a': 'b' },
    });

  const ok = await get('/ok');
  t.match(ok, { status: 200, body: 'body' });
  t.ok(Date.parse(ok.date ?? '') > 0, 'the Date header is kept (clock skew reads it)');
  t.equal(seen[0]?.['x-forwarded-for'], undefined, 'X-Forwarded-For is never sent');
  t.equal(seen[0]?.['x-a'], 'b');
  t.match(await get('/503'), { status: 503, body: '' });

  const startedAt = performance.now();
  const timeout = await get('/slow').catch((error: unknown) => error);
  t.type(timeout, ImdsRequestError);
  t.equal((timeout as ImdsRequestError).kind, 'timeout');
  t.ok(performance.now() - startedAt < 5_000, 'gave up at the deadline, not at the socket idle');

  const dropped = await get('/drop').catch((error: unknown) => error);
  t.equal((dropped as ImdsRequestError).kind, 'network');
  t.equal((dropped as ImdsRequestError).retryable, true);
});

t.test('shutdown aborts in-flight requests', async (t) => {
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  const controller = new AbortController();
  const send = httpTransport({
    endpoint: `http://127.0.0.1:${port}`,
    timeoutMs: 60_000,
    signal: controller.signal,
  });
  const pending = send({ method: 'PUT', path: '/latest/api/token', headers: {} });
  setImmediate(() => controller.abort());
  const error = (await pending.catch((e: unknown) => e)) as ImdsRequestError;
  t.equal(error.kind, 'aborted');
  t.equal(error.retryable, false);
});

t.test('an injected deadline (a simulated clock) ends a request as a timeout', async (t) => {
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  const deadline = new AbortController();
  const asked: number[] = [];
  const send = httpTransport({
    endpoint: `http://127.0.0.1:${port}`,
    timeoutMs: 1_000,
    deadline: (ms) => {
      asked.push(ms);
      return deadline.signal;
    },
  });
  const pending = send({ method: 'GET', path: '/x', headers: {} });
  setImmediate(() => deadline.abort());
  const error = (await pending.catch((e: unknown) => e)) as ImdsRequestError;
  t.equal(error.kind, 'timeout');
  t.same(asked, [1_000]);
});
