import t from 'tap';
import { FakeBrowser } from '../../test-support/fake-browser.js';
import { signedInApp, signIn } from '../../test-support/sign-in.js';
import { CSRF_COOKIE } from './csrf-token.js';

async function setup(env: Record<string, string> = {}) {
  const { deps, raw: app, browser } = await signedInApp(env);
  const e = deps.seed();
  await browser.get('/');
  return { deps, app, browser, e };
}

t.test('the token cookie is HttpOnly, SameSite=Lax, signed; Secure over HTTPS', async (t) => {
  const { app } = await signedInApp();
  const plain = (await app.request('http://localhost/')).headers.getSetCookie().join();
  t.match(plain, new RegExp(`^${CSRF_COOKIE}=[^;]+\\.[^;]+; Path=/; HttpOnly; SameSite=Lax$`));
  const https = (await app.request('https://directory.example.com/')).headers.getSetCookie().join();
  t.match(https, /; Secure/);
  const proxied = await app.request('http://localhost/', {
    headers: { 'x-forwarded-proto': 'https' },
  });
  t.match(proxied.headers.getSetCookie().join(), /; Secure/);
});

t.test('a form with the right token and origin passes', async (t) => {
  const { deps, browser, e } = await setup();
  t.equal((await browser.post(`/delete/${e.id}`, { version: '1' })).status, 303);
  t.equal(deps.employees.items.size, 0);
});

t.test('missing, wrong or foreign tokens are 403 csrf_rejected and change nothing', async (t) => {
  const { deps, app, browser, e } = await setup();
  const other = new FakeBrowser(app);
  await signIn(other, deps.oidc, 'admin');
  await other.get('/');
  for (const csrf of [null, 'x'.repeat(43), other.token ?? '']) {
    const res = await browser.post(`/delete/${e.id}`, { version: '1' }, { csrf });
    t.equal(res.status, 403);
    t.match(await res.text(), 'This form has expired or came from another site');
  }
  // A cookie whose signature does not verify counts as no cookie.
  const forged = new FakeBrowser(app);
  await signIn(forged, deps.oidc, 'admin');
  forged.cookies.set(CSRF_COOKIE, `${browser.token}.AAAA`);
  t.equal(
    (await forged.post(`/delete/${e.id}`, { version: '1' }, { csrf: browser.token })).status,
    403,
  );
  t.equal(deps.employees.items.size, 1);
});

t.test('a cross-origin POST is refused even with a valid token (hono/csrf)', async (t) => {
  const { deps, browser, e } = await setup();
  const res = await browser.post(
    `/delete/${e.id}`,
    { version: '1' },
    { origin: 'https://evil.example' },
  );
  t.equal(res.status, 403);
  const noOrigin = await browser.post(`/delete/${e.id}`, { version: '1' }, { origin: null });
  t.equal(noOrigin.status, 403, 'no Origin and no Sec-Fetch-Site');
  t.equal(deps.employees.items.size, 1);
});

t.test('Sec-Fetch-Site same-origin or a trusted origin passes the origin check', async (t) => {
  const { deps, app, browser, e } = await setup({
    TRUSTED_ORIGINS: 'https://directory.example.com',
  });
  const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const form = (fields: Record<string, string>) =>
    new URLSearchParams({ _csrf: browser.token ?? '', ...fields });
  const viaProxy = await app.request(`http://localhost/delete/${e.id}`, {
    method: 'POST',
    headers: { cookie, origin: 'https://directory.example.com' },
    body: form({ version: '1' }),
  });
  t.equal(viaProxy.status, 303);
  const e2 = deps.seed();
  const fetchSite = await app.request(`http://localhost/delete/${e2.id}`, {
    method: 'POST',
    headers: { cookie, 'sec-fetch-site': 'same-origin' },
    body: form({ version: '1' }),
  });
  t.equal(fetchSite.status, 303);
});

t.test('save and stress forms are protected the same way', async (t) => {
  const { deps, browser } = await setup();
  const save = await browser.post(
    '/save',
    { full_name: 'A', location: 'B', job_title: 'C' },
    { multipart: true, csrf: null },
  );
  t.equal(save.status, 403);
  const stress = await browser.post('/info/stress', { minutes: '1' }, { csrf: null });
  t.equal(stress.status, 403);
  t.equal(deps.stress.starts.length, 0);
  t.equal(deps.employees.items.size, 1);
});
