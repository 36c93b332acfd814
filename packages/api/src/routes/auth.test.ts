import t from 'tap';
import { FakeBrowser } from '../../test-support/fake-browser.js';
import { createTestDeps } from '../../test-support/fake-deps.js';
import { userWithRole } from '../../test-support/fake-oidc.js';
import { signIn } from '../../test-support/sign-in.js';
import { createApp } from '../app.js';
import { SESSION_COOKIE } from '../auth/session.js';

function setup(env: Record<string, string> = {}) {
  const deps = createTestDeps(env);
  const app = createApp(deps);
  return { deps, app, browser: new FakeBrowser(app) };
}

t.test('/auth/login sends the browser to the provider with PKCE, state and nonce', async (t) => {
  const { browser } = setup();
  const res = await browser.get('/auth/login?returnTo=%2Fadd');
  t.equal(res.status, 302);
  const url = new URL(res.headers.get('location') ?? '');
  t.equal(url.origin, 'https://idp.example.test');
  t.match(Object.fromEntries(url.searchParams), {
    response_type: 'code',
    redirect_uri: 'http://localhost/auth/callback',
    scope: 'openid profile email',
    code_challenge_method: 'S256',
    code_challenge: /^[\w-]{43}$/,
    state: /^[\w-]{20,}$/,
    nonce: /^[\w-]{20,}$/,
  });
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('empdir_login='));
  t.match(cookie, /; Max-Age=600; Path=\/auth; HttpOnly; SameSite=Lax$/);
  t.notMatch(cookie, url.searchParams.get('state') ?? '-', 'the pending state is encrypted');
});

t.test('the callback starts an encrypted session and returns to the page asked for', async (t) => {
  const { deps, browser } = setup();
  const start = await browser.get('/auth/login?returnTo=%2Femployee%2Fx%3Fa%3D1');
  const callback = new URL(
    deps.oidc.approve(start.headers.get('location') ?? '', userWithRole('editor')),
  );
  const done = await browser.get(`${callback.pathname}${callback.search}`);
  t.equal(done.status, 302);
  t.equal(done.headers.get('location'), '/employee/x?a=1');
  const session = done.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  t.match(session, /; Max-Age=28800; Path=\/; HttpOnly; SameSite=Lax$/);
  t.notMatch(session, /Test editor|user-editor/, 'nothing readable in the cookie');
  const home = await (await browser.get('/')).text();
  t.match(home, 'Signed in as <strong>Test editor</strong> (editor)');
  t.match(
    home,
    /<form method="post" action="\/auth\/logout" class="inline"><input type="hidden" name="_csrf" value="[\w-]{43}"\/>/,
  );
  t.match(home, '<a class="btn primary" href="/add">Add</a>');
  t.notMatch(home, 'href="/info"', 'only admins see Info');
});

t.test('over HTTPS the session cookie is Secure', async (t) => {
  const { deps, app } = setup();
  const browser = new FakeBrowser(app, 'https://directory.example.com');
  await signIn(browser, deps.oidc, 'viewer');
  const res = await browser.get('/');
  t.equal(res.status, 200);
  const start = await browser.get('/auth/login');
  t.match(start.headers.getSetCookie().join(), /empdir_login=[^;]+;.*; Secure/);
});

t.test('returnTo never leaves the site', async (t) => {
  for (const target of [
    '//evil.example/x',
    '/\\evil.example',
    'https://evil.example',
    '/auth/logout',
  ]) {
    const { deps, browser } = setup();
    const start = await browser.get(`/auth/login?returnTo=${encodeURIComponent(target)}`);
    const callback = new URL(
      deps.oidc.approve(start.headers.get('location') ?? '', userWithRole('viewer')),
    );
    const done = await browser.get(`${callback.pathname}${callback.search}`);
    t.equal(done.headers.get('location'), '/', target);
  }
});

t.test('a callback with a wrong state, replayed, or from another browser is refused', async (t) => {
  const { deps, app, browser } = setup();
  const start = await browser.get('/auth/login');
  const callback = new URL(
    deps.oidc.approve(start.headers.get('location') ?? '', userWithRole('admin')),
  );
  const forged = new URL(callback);
  forged.searchParams.set('state', 'x'.repeat(43));
  const otherBrowser = new FakeBrowser(app);
  t.equal(
    (await otherBrowser.get(`${callback.pathname}${callback.search}`)).status,
    400,
    'no pending sign-in',
  );
  t.equal((await browser.get(`${forged.pathname}${forged.search}`)).status, 400, 'wrong state');
  const replay = await browser.get(`${callback.pathname}${callback.search}`);
  t.equal(replay.status, 400, 'the pending sign-in was spent by the failed attempt');
  t.match(await replay.text(), 'Sign-in did not complete');
  t.equal((await browser.get('/')).status, 302, 'still signed out');
});

t.test('a pending sign-in expires after ten minutes', async (t) => {
  const { deps, browser } = setup();
  const start = await browser.get('/auth/login');
  const callback = new URL(
    deps.oidc.approve(start.headers.get('location') ?? '', userWithRole('admin')),
  );
  deps.advance(10 * 60_000 + 1);
  t.equal((await browser.get(`${callback.pathname}${callback.search}`)).status, 400);
});

t.test('sessions end after the idle timeout, and after the absolute maximum', async (t) => {
  const { deps, browser } = setup({
    SESSION_IDLE_TIMEOUT_SECONDS: '600',
    SESSION_MAX_AGE_SECONDS: '1800',
  });
  await signIn(browser, deps.oidc, 'viewer');
  deps.advance(599_000);
  t.equal((await browser.get('/')).status, 200, 'just inside the idle timeout');
  deps.advance(599_000);
  t.equal((await browser.get('/')).status, 200, 'activity slides the idle timeout');
  deps.advance(601_000);
  const idle = await browser.get('/');
  t.equal(idle.status, 302, 'idle too long');
  t.equal(idle.headers.get('location'), '/auth/login?returnTo=%2F');
  t.notOk(browser.cookies.has(SESSION_COOKIE), 'the expired cookie is removed');

  await signIn(browser, deps.oidc, 'viewer');
  for (let i = 0; i < 3; i++) {
    deps.advance(590_000);
    t.equal((await browser.get('/')).status, 200);
  }
  deps.advance(590_000);
  t.equal((await browser.get('/')).status, 302, 'past the absolute maximum despite activity');
});

t.test('a tampered or foreign session cookie is no session', async (t) => {
  const { deps, browser } = setup();
  await signIn(browser, deps.oidc, 'admin');
  const value = browser.cookies.get(SESSION_COOKIE) ?? '';
  browser.cookies.set(SESSION_COOKIE, `${value.slice(0, -2)}${value.endsWith('A') ? 'B' : 'A'}`);
  t.equal((await browser.get('/')).status, 302);
  const other = setup({ SESSION_SECRET: 'another-secret-another-secret-another-1' });
  const stranger = new FakeBrowser(other.app);
  stranger.cookies.set(SESSION_COOKIE, value);
  t.equal((await stranger.get('/')).status, 302, 'sealed with another SESSION_SECRET');
});

t.test('sign-out: POST with the CSRF token, ends the provider session too', async (t) => {
  const { deps, browser } = setup();
  await signIn(browser, deps.oidc, 'admin');
  await browser.get('/');
  t.equal((await browser.post('/auth/logout', {}, { csrf: null })).status, 403, 'no token');
  t.equal((await browser.get('/')).status, 200, 'still signed in');
  const res = await browser.post('/auth/logout', {});
  t.equal(res.status, 303);
  const url = new URL(res.headers.get('location') ?? '');
  t.equal(`${url.origin}${url.pathname}`, 'https://idp.example.test/logout');
  t.equal(url.searchParams.get('id_token_hint'), 'id-token-of-user-admin');
  t.equal(url.searchParams.get('post_logout_redirect_uri'), 'http://localhost/auth/signed-out');
  t.notOk(browser.cookies.has(SESSION_COOKIE));
  t.equal((await browser.get('/')).status, 302);
  const signedOut = await browser.get('/auth/signed-out');
  t.equal(signedOut.status, 200);
  t.match(await signedOut.text(), 'You are signed out');
});

t.test('a user in no directory group is signed in but refused everywhere', async (t) => {
  const { deps, browser } = setup();
  await signIn(browser, deps.oidc, undefined);
  const res = await browser.get('/');
  t.equal(res.status, 403);
  const html = await res.text();
  t.match(html, 'none of the directory groups');
  t.match(html, 'action="/auth/logout"', 'but can sign out');
});

t.test('the JSON API takes the session cookie; its writes must come from our origin', async (t) => {
  const { deps, app, browser } = setup();
  await signIn(browser, deps.oidc, 'editor');
  t.equal((await browser.get('/api/employees')).status, 200);
  const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const body = JSON.stringify({ fullName: 'A', location: 'B', jobTitle: 'C' });
  const post = (headers: Record<string, string>) =>
    app.request('http://localhost/api/employees', {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, ...headers },
      body,
    });
  t.equal((await post({})).status, 403, 'no Origin: a cross-site form could be posting');
  t.equal((await post({ origin: 'https://evil.example' })).status, 403);
  t.equal((await post({ origin: 'http://localhost' })).status, 201);
});
