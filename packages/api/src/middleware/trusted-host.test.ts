import t from 'tap';
import { createTestDeps } from '../../test-support/fake-deps.js';
import { createApp } from '../app.js';
import { HOST_EXEMPT_HEALTH_CHECK } from './trusted-host.js';

const TRUSTED = { TRUSTED_HOSTS: '127.0.0.1:8080, localhost:8080, directory.example.com' };

t.test('a Host off the allow-list is 421 untrusted_host before any route runs', async (t) => {
  const deps = createTestDeps(TRUSTED);
  const app = createApp(deps);
  for (const host of [
    'evil.example:8080',
    '127.0.0.1:9999',
    'localhost',
    'rebound.attacker.test',
  ]) {
    const res = await app.request('http://x/healthz', { headers: { host } });
    t.equal(res.status, 421, host);
    t.equal((await res.json()).error.code, 'untrusted_host');
  }
  // A page request gets the error page, and no route ran: no CSRF cookie, no sign-in redirect.
  const page = await app.request('http://x/', { headers: { host: 'evil.example' } });
  t.equal(page.status, 421);
  t.match(page.headers.get('content-type'), 'text/html');
  t.equal(page.headers.get('set-cookie'), null);
});

t.test('listed hosts pass, case-insensitively; a portless entry matches any port', async (t) => {
  const app = createApp(createTestDeps(TRUSTED));
  for (const host of [
    '127.0.0.1:8080',
    'LOCALHOST:8080',
    'directory.example.com',
    'directory.example.com:443',
  ]) {
    t.equal((await app.request('http://x/healthz', { headers: { host } })).status, 200, host);
  }
});

t.test('no TRUSTED_HOSTS: any Host is served (the list is opt-in per deployment)', async (t) => {
  const app = createApp(createTestDeps());
  t.equal(
    (await app.request('http://x/healthz', { headers: { host: 'any.example' } })).status,
    200,
  );
});

t.test("the load balancer's health check is served whatever its Host", async (t) => {
  const app = createApp(createTestDeps(TRUSTED));
  // The target's private address, as the load balancer sends it.
  const host = '10.40.1.23:8080';
  t.equal(HOST_EXEMPT_HEALTH_CHECK.path, '/readyz');
  for (const method of ['GET', 'HEAD']) {
    const res = await app.request('http://x/readyz', { method, headers: { host } });
    t.equal(res.status, 200, method);
    t.equal(res.headers.get('set-cookie'), null, `${method}: no cookie`);
  }
  t.same(await (await app.request('http://x/readyz', { headers: { host } })).json(), {
    status: 'ready',
    checks: { table: 'ok', bucket: 'ok' },
  });
});

t.test('only that exact request: anything near it with a foreign Host is 421', async (t) => {
  const app = createApp(createTestDeps(TRUSTED));
  const host = 'rebound.attacker.test';
  for (const [method, path] of [
    ['POST', '/readyz'],
    ['PUT', '/readyz'],
    ['DELETE', '/readyz'],
    ['OPTIONS', '/readyz'],
    ['GET', '/readyz/'],
    ['GET', '/readyz?'],
    ['GET', '/readyz?x=1'],
    ['GET', '/readyz?/api/employees'],
    ['GET', '/read%79z'],
    ['GET', '/READYZ'],
    ['GET', '//readyz'],
    ['GET', '/readyz/../'],
    ['GET', '/readyz/../api/employees'],
    ['GET', '/readyz/..%2Fapi/employees'],
    ['GET', '/readyz;x'],
    ['GET', '/healthz'],
  ]) {
    const res = await app.request(`http://x${path}`, { method, headers: { host } });
    t.equal(res.status, 421, `${method} ${path}`);
  }
});
