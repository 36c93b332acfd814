// Sign-in against a real OpenID provider (oidc-provider on loopback) over real sockets: the
// authorization code flow with a cookie jar and hand-followed redirects, bearer tokens from the
// client credentials grant, 401 and 403, the idle timeout on an injected clock, and sign-out that
// ends the provider's session too.
import t from 'tap';
import { CookieJar, followSignIn, send, signInThroughProvider } from '../support/oidc-login.js';
import { clientCredentialsToken } from '../support/oidc-provider.js';
import { api, startApi, startApiStandins } from './api-harness.js';

const standins = await startApiStandins();
t.teardown(() => standins.stop());
let clockMs = Date.now();
const server = await startApi(
  standins,
  { SESSION_IDLE_TIMEOUT_SECONDS: '600' },
  { now: () => clockMs },
);
t.teardown(() => server.close());
const user = (role: string) => {
  const found = standins.oidc.users.find((u) => u.role === role);
  if (!found) throw new Error(`no ${role} user`);
  return found;
};

t.test('the code flow end to end: login form, callback, session, the page asked for', async (t) => {
  const { res, url, jar } = await signInThroughProvider(
    server.url,
    user('editor'),
    undefined,
    '/add',
  );
  t.equal(res.status, 200);
  t.equal(url, `${server.url}/add`, 'back on the page asked for');
  const html = await res.text();
  t.match(html, 'Signed in as <strong>Demo editor</strong> (editor)');
  t.ok(jar.cookies.has('empdir_session'));
  t.notOk(jar.cookies.has('empdir_login'), 'the pending sign-in is spent');
  const list = await send(jar, `${server.url}/api/employees`);
  t.equal(list.status, 200, 'the JSON API takes the session');
});

t.test('a wrong password gets the form again and no session', async (t) => {
  const jar = new CookieJar();
  const { res } = await followSignIn(jar, `${server.url}/auth/login`, {
    username: 'admin',
    password: 'wrong-password',
  });
  t.equal(res.status, 401);
  t.match(await res.text(), 'Wrong username or password');
  t.notOk(jar.cookies.has('empdir_session'));
});

t.test('roles through real sessions: viewer 403 on /add, admin sees /info', async (t) => {
  const viewer = await signInThroughProvider(server.url, user('viewer'));
  const home = await viewer.res.text();
  t.notMatch(home, 'href="/add"', 'no Add for a viewer');
  t.equal((await send(viewer.jar, `${server.url}/add`)).status, 403);
  t.equal((await send(viewer.jar, `${server.url}/info`)).status, 403);
  const admin = await signInThroughProvider(server.url, user('admin'));
  const info = await send(admin.jar, `${server.url}/info`);
  t.equal(info.status, 200);
  t.match(await info.text(), 'Instance Information');
});

t.test('bearer tokens from the client credentials grant', async (t) => {
  const created = await api(server.url, '/api/employees', {
    method: 'POST',
    body: { fullName: 'Machine Made', location: 'Cloud', jobTitle: 'Bot' },
  });
  t.equal(created.status, 201, 'the editor machine client creates');
  const viewerClient = standins.oidc.clients.find((c) => c.role === 'viewer');
  const viewerToken = viewerClient
    ? await clientCredentialsToken(standins.oidc.issuer, viewerClient)
    : '';
  const headers = { authorization: `Bearer ${viewerToken}` };
  t.equal((await api(server.url, '/api/employees', { headers })).status, 200, 'viewer reads');
  const denied = await api(server.url, '/api/employees', {
    method: 'POST',
    headers,
    body: { fullName: 'No', location: 'No', jobTitle: 'No' },
  });
  t.equal(denied.status, 403);
  t.equal(denied.body.error.code, 'forbidden');
  const anonymous = await fetch(`${server.url}/api/employees`);
  t.equal(anonymous.status, 401);
  t.match(anonymous.headers.get('www-authenticate'), /^Bearer realm="empdir"/);
  t.equal((await anonymous.json()).error.code, 'unauthorized');
  const junk = await api(server.url, '/api/employees', {
    headers: { authorization: 'Bearer abc.def.ghi' },
  });
  t.equal(junk.status, 401);
  const page = await fetch(`${server.url}/`, { redirect: 'manual' });
  t.equal(page.status, 302);
  t.equal(page.headers.get('location'), '/auth/login?returnTo=%2F');
});

t.test('the idle timeout, on the injected clock', async (t) => {
  const { jar } = await signInThroughProvider(server.url, user('viewer'));
  clockMs += 599_000;
  t.equal((await send(jar, `${server.url}/`)).status, 200);
  clockMs += 601_000;
  const res = await send(jar, `${server.url}/`);
  t.equal(res.status, 302);
  t.equal(res.headers.get('location'), '/auth/login?returnTo=%2F');
});

t.test('sign-out ends the session here and at the provider', async (t) => {
  const { res, jar } = await signInThroughProvider(server.url, user('admin'));
  const token = /name="_csrf" value="([^"]+)"/.exec(await res.text())?.[1] ?? '';
  const out = await send(jar, `${server.url}/auth/logout`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
    body: new URLSearchParams({ _csrf: token }),
  });
  t.equal(out.status, 303);
  const endSession = new URL(out.headers.get('location') ?? '');
  t.equal(endSession.origin, standins.oidc.issuer);
  t.ok(endSession.searchParams.get('id_token_hint'), 'id_token_hint sent');
  t.equal(endSession.searchParams.get('post_logout_redirect_uri'), `${server.url}/auth/signed-out`);
  t.equal((await send(jar, `${server.url}/`)).status, 302, 'no session here any more');

  const confirm = await send(jar, endSession);
  const form = await confirm.text();
  const action = /<form[^>]*action="([^"]+)"/.exec(form)?.[1] ?? '';
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(form)?.[1] ?? '';
  const done = await send(jar, new URL(action, endSession), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ xsrf, logout: 'yes' }),
  });
  t.equal(done.headers.get('location'), `${server.url}/auth/signed-out`);
  const signedOut = await send(jar, `${server.url}/auth/signed-out`);
  t.match(await signedOut.text(), 'You are signed out');

  // The provider forgot us: signing in again asks for the password.
  let next = new URL(`${server.url}/auth/login`);
  let last: Response | undefined;
  for (let hop = 0; hop < 10; hop++) {
    last = await send(jar, next);
    const location = last.headers.get('location');
    if (!location) break;
    next = new URL(location, next);
  }
  t.equal(last?.status, 200);
  t.match(await last?.text(), 'Sign in to the Employee Directory');
});
