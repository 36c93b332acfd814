// Who may ask: the token from the token file, our own Host, no proxies, a bounded request rate.

import { stat } from 'node:fs/promises';
import { request } from 'node:http';
import t from 'tap';
import { metricValue, startStack } from './imds-cache-harness.js';

/** A raw HTTP GET with full control over the headers (fetch forbids setting Host). */
function rawGet(url: string, headers: Record<string, string>, method = 'GET') {
  return new Promise<{
    status: number;
    body: Record<string, unknown>;
    headers: Record<string, unknown>;
  }>((resolve, reject) => {
    const req = request(url, { method, headers, setHost: !('Host' in headers) }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: text.startsWith('{') ? JSON.parse(text) : { text },
          headers: res.headers,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

t.test('the token file: random, base64url, mode 0640', async (t) => {
  const stack = await startStack(t);
  t.match(stack.token, /^[A-Za-z0-9_-]{43,}$/);
  t.equal((await stat(stack.daemon.tokenFile)).mode & 0o777, 0o640);
});

t.test('Authorization: missing 401, wrong 403, right 200; JSON in both spellings', async (t) => {
  const stack = await startStack(t);
  const url = `${stack.daemon.url}/v1/credentials`;
  const missing = await rawGet(url, {});
  t.equal(missing.status, 401);
  t.match(missing.body, {
    Code: 'unauthorized',
    code: 'unauthorized',
    Message: String,
    message: String,
  });
  for (const wrong of ['x', `${stack.token}x`, stack.token.slice(1), `Bearer ${stack.token}`]) {
    const refused = await rawGet(url, { Authorization: wrong });
    t.equal(refused.status, 403);
    t.match(refused.body, { Code: 'forbidden', code: 'forbidden', error: { code: 'forbidden' } });
  }
  t.equal((await rawGet(url, { Authorization: stack.token })).status, 200);
  t.equal((await rawGet(`${stack.daemon.url}/v1/instance`, {})).status, 401, '/v1/instance too');
});

t.test('Host must be ours (DNS rebinding); X-Forwarded-For is refused', async (t) => {
  const stack = await startStack(t);
  const url = `${stack.daemon.url}/v1/credentials`;
  const port = new URL(stack.daemon.url).port;
  const auth = { Authorization: stack.token };
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
    t.equal((await rawGet(url, { ...auth, Host: host })).status, 200, host);
  }
  for (const host of [`evil.example:${port}`, 'localhost', `127.0.0.1:${Number(port) + 1}`, '']) {
    const refused = await rawGet(url, { ...auth, Host: host });
    t.equal(refused.status, 403, `Host "${host}"`);
    t.match(refused.body, { code: 'forbidden', message: /Host/ });
  }
  const forwarded = await rawGet(url, { ...auth, 'X-Forwarded-For': '127.0.0.1' });
  t.equal(forwarded.status, 403);
  t.match(forwarded.body, { code: 'forbidden', message: /X-Forwarded-For/ });
  const opsHost = await rawGet(`${stack.daemon.opsUrl}/metrics`, { Host: 'evil.example' });
  t.equal(opsHost.status, 403, 'the ops listener checks Host too');
});

t.test(
  'overload is 503 + Retry-After beyond the burst (never 429); refills on the clock',
  async (t) => {
    const stack = await startStack(t, {
      env: { IMDS_CACHE_RATE_LIMIT_RPS: '10', IMDS_CACHE_RATE_LIMIT_BURST: '5' },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await stack.credentials()).status);
    t.same(statuses, [200, 200, 200, 200, 200, 503, 503, 503]);
    const limited = await stack.get('/v1/credentials');
    t.equal(limited.status, 503);
    t.equal(limited.headers.get('retry-after'), '1');
    t.match(await limited.json(), { Code: 'rate_limited', code: 'rate_limited' });
    stack.clock.advance(100);
    t.equal((await stack.credentials()).status, 200, 'one token back after 100 ms at 10/s');
  },
);

t.test(
  "an unauthenticated flood spends its own bucket, never the token holders' rate",
  async (t) => {
    const stack = await startStack(t, {
      env: { IMDS_CACHE_RATE_LIMIT_RPS: '10', IMDS_CACHE_RATE_LIMIT_BURST: '5' },
    });
    const url = `${stack.daemon.url}/v1/credentials`;
    const flood: number[] = [];
    for (let i = 0; i < 50; i++) {
      flood.push((await rawGet(url, i % 2 ? { Authorization: 'wrong' } : {})).status);
    }
    t.same(flood.slice(0, 10), [401, 403, 401, 403, 401, 403, 401, 403, 401, 403]);
    t.ok(
      flood.slice(10).every((s) => s === 503),
      'then 503 + Retry-After: the failure bucket is empty',
    );
    const authenticated: number[] = [];
    for (let i = 0; i < 5; i++) authenticated.push((await stack.credentials()).status);
    t.same(authenticated, [200, 200, 200, 200, 200], 'the rate limit was all there for the token');
    const refused = await rawGet(url, { Authorization: 'wrong' });
    t.equal(refused.status, 503);
    t.equal(refused.headers['retry-after'], '1');
    stack.clock.advance(500);
    t.equal(
      (await rawGet(url, { Authorization: 'wrong' })).status,
      403,
      'the failure bucket refills',
    );
  },
);

t.test('IMDS_CACHE_RATE_LIMIT_RPS=0 turns the limit off', async (t) => {
  const stack = await startStack(t, {
    env: { IMDS_CACHE_RATE_LIMIT_RPS: '0', IMDS_CACHE_RATE_LIMIT_BURST: '1' },
  });
  const statuses = await Promise.all(
    Array.from({ length: 50 }, async () => (await stack.credentials()).status),
  );
  t.ok(statuses.every((s) => s === 200));
});

t.test('unknown paths 404, other methods 405, both JSON', async (t) => {
  const stack = await startStack(t);
  const auth = { Authorization: stack.token };
  const missing = await rawGet(`${stack.daemon.url}/v2/credentials`, auth);
  t.equal(missing.status, 404);
  t.match(missing.body, { code: 'not_found' });
  const post = await rawGet(`${stack.daemon.url}/v1/credentials`, auth, 'POST');
  t.equal(post.status, 405);
  t.equal(post.headers.allow, 'GET');
});

t.test('ops: healthz, readyz and Prometheus metrics on their own listener', async (t) => {
  const stack = await startStack(t, { warm: false, holdCredentials: true });
  const ops = stack.daemon.opsUrl;
  t.not(new URL(ops).port, new URL(stack.daemon.url).port);
  t.equal((await fetch(`${ops}/healthz`)).status, 200);
  const notReady = await fetch(`${ops}/readyz`);
  t.equal(notReady.status, 503, 'not ready before credentials are held');
  stack.releaseCredentials();
  await stack.nextOutcome();
  const ready = await fetch(`${ops}/readyz`);
  t.equal(ready.status, 200);
  t.match(await ready.json(), {
    status: 'ready',
    role: 'empdir-app-role',
    expiresInSeconds: Number,
  });
  await stack.credentials();
  const metrics = await fetch(`${ops}/metrics`);
  t.match(metrics.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const text = await metrics.text();
  t.match(text, /imds_cache_upstream_requests_total\{path="\/latest\/api\/token",status="200"\} 1/);
  t.match(text, /imds_cache_cache_lookups_total\{result="hit"\} 1/);
  t.match(text, /imds_cache_credentials_expiry_seconds 2159\d/);
  t.match(
    text,
    /imds_cache_http_request_duration_seconds_bucket\{le="[^"]+",route="\/v1\/credentials",status="200"\}/,
  );
  t.match(text, /imds_cache_refresh_failures_total/);
  t.equal(await metricValue(stack, 'imds_cache_refresh_failures_total'), 0);
  t.notMatch(text, stack.sim.currentCredentials().AccessKeyId, 'no key material in metrics');
});
