import t from 'tap';
import { FakeBrowser } from '../../test-support/fake-browser.js';
import { createTestDeps } from '../../test-support/fake-deps.js';
import { accessToken, signIn } from '../../test-support/sign-in.js';
import { createApp } from '../app.js';
import { ROLES, type Role, roleAllows } from '../auth/identity.js';
import { ROUTE_POLICY } from './route-policy.js';

const key = (method: string, path: string) => `${method} ${path}`;
const SOME_ID = '00000000-0000-4000-8000-000000000000';

t.test('the table declares exactly the routes the app has', async (t) => {
  const app = createApp(createTestDeps());
  // app.use() middleware shows up as ALL /*: everything else is a route.
  const actual = app.routes
    .filter((route) => !(route.method === 'ALL' && route.path === '/*'))
    .map((route) => key(route.method, route.path));
  const declared = ROUTE_POLICY.map((rule) => key(rule.method, rule.path));
  t.same(
    actual.filter((route) => !declared.includes(route)),
    [],
    'every route is declared',
  );
  t.same(
    declared.filter((route) => !actual.includes(route)),
    [],
    'every declared route exists',
  );
  t.equal(new Set(declared).size, declared.length, 'no route declared twice');
});

t.test('a route missing from the table is refused before its handler runs', async (t) => {
  const deps = createTestDeps();
  const app = createApp(deps);
  let ran = false;
  app.get('/api/undeclared', (c) => {
    ran = true;
    return c.json({ leaked: true });
  });
  const token = await accessToken(deps.oidc, deps.now(), { role: 'admin' });
  const res = await app.request('/api/undeclared', {
    headers: { authorization: `Bearer ${token}` },
  });
  t.equal(res.status, 404);
  t.notOk(ran);
});

async function caller(role: Role) {
  const deps = createTestDeps();
  const app = createApp(deps);
  const browser = new FakeBrowser(app);
  await signIn(browser, deps.oidc, role);
  await browser.get('/');
  const token = await accessToken(deps.oidc, deps.now(), { role });
  return { deps, app, browser, token };
}

t.test('each role gets 403 exactly on the routes above it', async (t) => {
  for (const role of ROLES) {
    const { app, browser, token } = await caller(role);
    for (const rule of ROUTE_POLICY.filter((r) => r.access !== 'public')) {
      const path = rule.path.replace(':id', SOME_ID);
      const allowed = roleAllows(role, rule.access as Role);
      let forbidden: boolean;
      if (rule.surface === 'api') {
        const res = await app.request(path, {
          method: rule.method,
          headers: { authorization: `Bearer ${token}` },
        });
        forbidden = res.status === 403 && (await res.json()).error.code === 'forbidden';
      } else {
        const res = rule.method === 'GET' ? await browser.get(path) : await browser.post(path, {});
        forbidden = res.status === 403 && (await res.text()).includes('This needs the');
      }
      t.equal(forbidden, !allowed, `${role} ${rule.method} ${rule.path}`);
    }
  }
});

t.test(
  'without credentials: API 401 with a Bearer challenge, pages redirect to sign-in',
  async (t) => {
    const app = createApp(createTestDeps());
    for (const rule of ROUTE_POLICY) {
      const path = rule.path.replace(':id', SOME_ID);
      const res = await app.request(path, { method: rule.method });
      if (rule.access === 'public') {
        t.not(res.status, 401, `${rule.method} ${rule.path} is public`);
      } else if (rule.surface === 'api') {
        t.equal(res.status, 401, `${rule.method} ${rule.path}`);
        t.match(res.headers.get('www-authenticate'), /^Bearer realm="empdir"/);
        t.equal((await res.json()).error.code, 'unauthorized');
      } else {
        t.equal(res.status, rule.method === 'GET' ? 302 : 303, `${rule.method} ${rule.path}`);
        const returnTo = rule.method === 'GET' ? path : '/';
        t.equal(
          res.headers.get('location'),
          `/auth/login?returnTo=${encodeURIComponent(returnTo)}`,
        );
      }
    }
  },
);

t.test('bodies are limited per route, and only after the caller may send one', async (t) => {
  const big = 'x'.repeat(70 * 1024);
  const anonymous = createApp(createTestDeps());
  const post = (app: { request: typeof anonymous.request }, token?: string) =>
    app.request('/api/employees', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ fullName: big }),
    });
  t.equal((await post(anonymous)).status, 401, 'nobody: refused before the body');
  const viewer = await caller('viewer');
  t.equal((await post(viewer.app, viewer.token)).status, 403, 'viewer: refused before the body');
  const editor = await caller('editor');
  t.equal((await post(editor.app, editor.token)).status, 413, 'editor: the 64 KB JSON limit');
  const form = await editor.browser.post('/delete/x', { version: '1', pad: 'y'.repeat(20_000) });
  t.equal(form.status, 413, 'the 16 KB form limit');
});

t.test('a known path with another method is 405 with Allow, for signed-in callers', async (t) => {
  const { app, token } = await caller('viewer');
  const res = await app.request('/api/employees', {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}` },
  });
  t.equal(res.status, 405);
  t.equal(res.headers.get('allow'), 'GET, POST');
  const anonymous = await createApp(createTestDeps()).request('/api/employees', { method: 'PUT' });
  t.equal(anonymous.status, 401);
});
