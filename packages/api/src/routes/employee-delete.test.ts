import t from 'tap';
import { signedInApp } from '../../test-support/sign-in.js';
import { CSRF_FIELD } from '../middleware/csrf-token.js';

const setup = () => signedInApp({}, 'editor');

t.test(
  'the list and the item page link to the confirmation page, never post a delete',
  async (t) => {
    const { deps, browser } = await setup();
    const e = deps.seed({ fullName: 'Ada' });
    for (const path of ['/', `/employee/${e.id}`]) {
      const html = await (await browser.get(path)).text();
      t.match(
        html,
        `<a class="btn danger" href="/delete/${e.id}" aria-label="Delete Ada">Delete</a>`,
      );
      t.notMatch(html, /<form[^>]* action="\/delete\//, `${path}: no delete form`);
    }
    t.equal(deps.employees.items.size, 1);
  },
);

t.test('GET /delete/:id asks first: the name, the version seen and the token', async (t) => {
  const { deps, browser } = await setup();
  const e = deps.seed({ fullName: '<b>Ada</b>', version: 3, withPhoto: true });
  const res = await browser.get(`/delete/${e.id}`);
  t.equal(res.status, 200);
  t.equal(res.headers.get('cache-control'), 'no-store');
  const html = await res.text();
  t.match(html, '<h1>Delete &lt;b&gt;Ada&lt;/b&gt;?</h1>', 'the name, escaped');
  t.match(html, `<form method="post" action="/delete/${e.id}"`);
  t.match(html, new RegExp(`name="${CSRF_FIELD}" value="[^"]+"`));
  t.match(html, '<input type="hidden" name="version" value="3"/>');
  t.match(html, `<a class="btn" href="/employee/${e.id}">Cancel</a>`);
  t.equal(deps.employees.items.size, 1, 'showing the question deletes nothing');
  t.equal(deps.photos.objects.size, 1);
});

t.test('confirming deletes, removes the photo and flashes "Deleted!" on the list', async (t) => {
  const { deps, browser } = await setup();
  const e = deps.seed({ withPhoto: true });
  await browser.get(`/delete/${e.id}`);
  const res = await browser.post(`/delete/${e.id}`, { version: '1' });
  t.equal(res.status, 303);
  t.equal(res.headers.get('location'), '/');
  t.equal(deps.employees.items.size, 0);
  t.equal(deps.photos.objects.size, 0);
  t.match(await (await browser.get('/')).text(), 'Deleted!');
});

t.test('a stale confirmation is refused: 409, nothing deleted, asked again', async (t) => {
  const { deps, browser } = await setup();
  const e = deps.seed({ fullName: 'Ada', version: 3 });
  await browser.get(`/delete/${e.id}`);
  const res = await browser.post(`/delete/${e.id}`, { version: '2' });
  t.equal(res.status, 409);
  t.equal(deps.employees.items.size, 1);
  const html = await res.text();
  t.match(html, 'was changed after you opened this page');
  t.match(html, '<input type="hidden" name="version" value="3"/>', 'the version now stored');
  const missing = await browser.post(`/delete/${e.id}`, {});
  t.equal(missing.status, 400);
  t.equal(deps.employees.items.size, 1);
});

t.test('without the CSRF token the confirmation does nothing', async (t) => {
  const { deps, browser } = await setup();
  const e = deps.seed();
  await browser.get(`/delete/${e.id}`);
  const res = await browser.post(`/delete/${e.id}`, { version: '1' }, { csrf: null });
  t.equal(res.status, 403);
  t.equal(deps.employees.items.size, 1);
});

t.test('an unknown or malformed id is 404; a viewer is refused the page', async (t) => {
  const { browser } = await setup();
  t.equal((await browser.get('/delete/7b0c6d1e-0000-4000-8000-000000000000')).status, 404);
  t.equal((await browser.get('/delete/not-an-id')).status, 404);
  const viewer = await signedInApp({}, 'viewer');
  const e = viewer.deps.seed();
  const res = await viewer.browser.get(`/delete/${e.id}`);
  t.equal(res.status, 403);
  t.notMatch(await res.text(), 'action="/delete/');
  t.equal(viewer.deps.employees.items.size, 1);
});
