import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { createLogger } from '../log.js';
import { createInstanceInfoSource, type InstanceInfoOptions } from './instance-info.js';

const identity = {
  instanceId: 'i-0123456789abcdef0',
  region: 'eu-west-1',
  availabilityZone: 'eu-west-1b',
  instanceType: 't3.micro',
  accountId: '123456789012',
};

function options(overrides: Partial<InstanceInfoOptions> = {}) {
  let nowMs = 0;
  const calls: { url: string; authorization: string | undefined }[] = [];
  const fakeFetch = (async (url: string, init?: RequestInit) => {
    calls.push({
      url,
      authorization: (init?.headers as Record<string, string> | undefined)?.authorization,
    });
    return Response.json(identity);
  }) as typeof fetch;
  const base: InstanceInfoOptions = {
    url: 'http://127.0.0.1:8081/v1/instance',
    tokenFile: '/run/token',
    token: undefined,
    lambdaFunctionName: undefined,
    timeoutMs: 500,
    now: () => nowMs,
    logger: createLogger('silent'),
    fetch: fakeFetch,
    readToken: async () => 'token-from-file\n',
    ...overrides,
  };
  return { base, calls, advance: (ms: number) => (nowMs += ms) };
}

t.test('asks the daemon once with the token from the file, then keeps the answer', async (t) => {
  const { base, calls } = options();
  const source = createInstanceInfoSource(base);
  const [a, b] = await Promise.all([source.get(), source.get()]);
  t.same(a, {
    kind: 'ec2',
    instanceId: identity.instanceId,
    availabilityZone: 'eu-west-1b',
    instanceType: 't3.micro',
  });
  t.same(b, a);
  await source.get();
  t.same(calls, [{ url: 'http://127.0.0.1:8081/v1/instance', authorization: 'token-from-file' }]);
});

t.test('Lambda and "no daemon" are said plainly, with no request', async (t) => {
  const lambda = options({ lambdaFunctionName: 'empdir-api' });
  t.same(await createInstanceInfoSource(lambda.base).get(), {
    kind: 'lambda',
    functionName: 'empdir-api',
  });
  const none = options({ url: undefined });
  t.same(await createInstanceInfoSource(none.base).get(), { kind: 'not-ec2' });
  t.equal(lambda.calls.length + none.calls.length, 0);
});

t.test('a failure is shown as unavailable and retried only after a while', async (t) => {
  let fail = true;
  const { base, calls, advance } = options();
  const inner = base.fetch as typeof fetch;
  const source = createInstanceInfoSource({
    ...base,
    retryAfterMs: 10_000,
    fetch: (async (url: string, init?: RequestInit) => {
      if (fail) {
        calls.push({ url, authorization: undefined });
        return new Response('nope', { status: 503 });
      }
      return inner(url, init);
    }) as typeof fetch,
  });
  t.same(await source.get(), { kind: 'unavailable' });
  t.same(await source.get(), { kind: 'unavailable' });
  t.equal(calls.length, 1, 'not retried at once');
  fail = false;
  advance(10_000);
  t.equal((await source.get()).kind, 'ec2');
});

t.test('a malformed answer is unavailable, not a crash', async (t) => {
  const { base } = options({
    fetch: (async () => Response.json({ instanceId: 5 })) as typeof fetch,
  });
  t.same(await createInstanceInfoSource(base).get(), { kind: 'unavailable' });
});

t.test('a daemon that never answers times out quickly (real socket)', async (t) => {
  const server = createServer(() => {
    // Never respond.
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  const source = createInstanceInfoSource({
    ...options().base,
    url: `http://127.0.0.1:${port}/v1/instance`,
    fetch: undefined,
    timeoutMs: 50,
  });
  const started = performance.now();
  t.same(await source.get(), { kind: 'unavailable' });
  t.ok(performance.now() - started < 2_000, 'bounded by the timeout');
});
