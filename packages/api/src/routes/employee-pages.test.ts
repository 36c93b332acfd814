import { BADGE_KEYS } from '@empdir/shared';
import t from 'tap';
import { sampleImage } from '../../test-support/sample-images.js';
import { signedInApp } from '../../test-support/sign-in.js';

const setup = (env: Record<string, string> = {}) => signedInApp(env, 'editor');

const photoBlob = async () => new Blob([await sampleImage(300, 400)], { type: 'image/jpeg' });

t.test('GET / lists employees sorted by name with photo, badges and location', async (t) => {
  const { deps, browser } = await setup();
  deps.seed({ fullName: 'zed', location: 'Oslo' });
  const ada = deps.seed({ fullName: 'Ada', badges: ['apple', 'coffee'], withPhoto: true });
  deps.seed({ fullName: 'Ñandú' });
  const res = await browser.get('/');
  t.equal(res.status, 200);
  t.equal(res.headers.get('cache-control'), 'no-store');
  const html = await res.text();
  const names = [...html.matchAll(/<a href="\/employee\/[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]);
  t.same(names, ['Ada', 'zed', 'Ñandú'], 'case-insensitive, by bytes after folding');
  t.match(html, new RegExp(`<img width="50" src="/api/employees/${ada.id}/photo" alt=""/>`));
  t.match(html, '<i class="fa fa-apple" title="Mac User"');
  t.match(html, '<i class="fa fa-coffee" title="Coffee Snob"');
  t.match(html, '<small>Oslo</small>');
  t.match(html, '<a class="btn primary" href="/add">Add</a>');
  t.notMatch(html, 'Empty Directory');
});

t.test('GET / on an empty table says "Empty Directory"', async (t) => {
  const { browser } = await setup();
  t.match(await (await browser.get('/')).text(), '<h2 class="empty">Empty Directory</h2>');
});

t.test('the list is paginated with a Next link carrying the cursor', async (t) => {
  const { deps, browser } = await setup({ PAGE_SIZE: '2' });
  for (const name of ['e', 'b', 'd', 'a', 'c']) deps.seed({ fullName: name });
  const seen: string[] = [];
  let path: string | undefined = '/';
  let pages = 0;
  while (path) {
    const html: string = await (await browser.get(path)).text();
    pages += 1;
    seen.push(
      ...[...html.matchAll(/<a href="\/employee\/[^"]+">([^<]+)<\/a>/g)].map((m) => m[1] ?? ''),
    );
    const next: string | undefined = /<a rel="next" href="([^"]+)">Next<\/a>/.exec(html)?.[1];
    if (pages > 1) t.match(html, '<a href="/">First page</a>');
    path = next?.replaceAll('&amp;', '&');
  }
  t.equal(pages, 3);
  t.same(seen, ['a', 'b', 'c', 'd', 'e']);
  t.same(deps.employees.calls.filter((c) => c === 'list').length, 3, 'one Query per page');
});

t.test('a forged cursor is a 400 page, not a crash', async (t) => {
  const { browser } = await setup();
  const res = await browser.get('/?cursor=eyJ2IjoxfQ');
  t.equal(res.status, 400);
  t.match(await res.text(), 'The page cursor is not valid');
});

t.test('GET /add renders the form: real fields, 12 badge checkboxes, CSRF token', async (t) => {
  const { browser } = await setup();
  const html = await (await browser.get('/add')).text();
  t.match(html, /<form method="post" action="\/save" enctype="multipart\/form-data"/);
  t.match(html, /<input id="field-photo" type="file" name="photo"/);
  t.notMatch(html, /name="photo"[^>]* required/, 'a photo is optional, as in the JSON API');
  t.notMatch(html, 'name="remove_photo"', 'nothing to remove on add');
  for (const name of ['full_name', 'location', 'job_title']) {
    t.match(html, new RegExp(`name="${name}" value="" required="" maxlength="100"`));
  }
  t.equal(html.match(/type="checkbox" name="badges"/g)?.length, BADGE_KEYS.length);
  t.ok(browser.token, 'the form carries a CSRF token');
  t.notMatch(html, /<script/i, 'no scripts at all');
});

t.test('POST /save creates, redirects 303 to its page and flashes "Saved!" once', async (t) => {
  const { deps, browser } = await setup();
  await browser.get('/add');
  const res = await browser.post(
    '/save',
    {
      full_name: ' Grace Hopper ',
      location: 'Arlington',
      job_title: 'Admiral',
      badges: ['bug', 'trophy'],
      photo: await photoBlob(),
    },
    { multipart: true },
  );
  t.equal(res.status, 303);
  const [saved] = [...deps.employees.items.values()];
  // The list is served from an index that may not show the new item yet; its own page reads it.
  t.equal(res.headers.get('location'), `/employee/${saved?.id}`);
  t.match(saved, {
    fullName: 'Grace Hopper',
    location: 'Arlington',
    jobTitle: 'Admiral',
    badges: ['trophy', 'bug'],
    version: 1,
  });
  t.ok(saved?.photoKey && deps.photos.objects.has(saved.photoKey), 'photo stored');
  const page = await (await browser.get(`/employee/${saved?.id}`)).text();
  t.match(page, '<p class="flash" role="status">Saved!</p>');
  t.match(page, '<h1>Grace Hopper</h1>');
  t.notMatch(await (await browser.get('/')).text(), 'Saved!', 'shown once');
});

t.test('GET /edit/:id pre-fills the form with version and checked badges', async (t) => {
  const { deps, browser } = await setup();
  const e = deps.seed({
    fullName: 'Linus',
    badges: ['linux', 'coffee'],
    version: 4,
    withPhoto: true,
  });
  const html = await (await browser.get(`/edit/${e.id}`)).text();
  t.match(html, `<input type="hidden" name="employee_id" value="${e.id}"/>`);
  t.match(html, '<input type="hidden" name="version" value="4"/>');
  t.match(html, 'name="full_name" value="Linus"');
  t.match(html, /value="linux" checked=""/);
  t.match(html, /value="coffee" checked=""/);
  t.notMatch(html, /value="apple" checked/);
  t.match(html, `<img class="current-photo" src="/api/employees/${e.id}/photo"`);
  t.notMatch(html, /type="file" name="photo"[^>]* required/, 'photo optional on edit');
});

t.test('POST /save updates in place; a new photo replaces (and deletes) the old one', async (t) => {
  const { deps, browser } = await setup();
  const e = deps.seed({ fullName: 'Old', withPhoto: true });
  await browser.get(`/edit/${e.id}`);
  const res = await browser.post(
    '/save',
    {
      employee_id: e.id,
      version: '1',
      full_name: 'New',
      location: 'Paris',
      job_title: 'Chef',
      photo: await photoBlob(),
    },
    { multipart: true },
  );
  t.equal(res.status, 303);
  t.equal(res.headers.get('location'), `/employee/${e.id}`, 'back to the edited employee');
  const after = deps.employees.items.get(e.id);
  t.match(after, { fullName: 'New', location: 'Paris', version: 2, badges: [] });
  t.not(after?.photoKey, e.photoKey);
  t.same([...deps.photos.objects.keys()], [after?.photoKey], 'old object deleted');
});

t.test('GET /employee/:id shows the read-only view', async (t) => {
  const { deps, browser } = await setup();
  const e = deps.seed({
    fullName: 'Ada',
    jobTitle: 'Analyst',
    location: 'London',
    badges: ['plane'],
    withPhoto: true,
  });
  const html = await (await browser.get(`/employee/${e.id}`)).text();
  t.match(html, '<h1>Ada</h1>');
  t.match(html, /<img src="\/api\/employees\/[^"]+\/photo" width="120" height="160" alt="Ada"\/>/);
  t.match(html, '<dd>London</dd>');
  t.match(html, '<dd>Analyst</dd>');
  t.match(html, 'Frequent Flier');
  t.match(html, `<a class="btn primary" href="/edit/${e.id}">Edit</a>`);
  t.match(html, '<a class="btn" href="/">Home</a>');
});

t.test(
  '1000 employees: a page signs no URL; each photo is signed once, when fetched',
  async (t) => {
    const { deps, browser } = await setup({ PAGE_SIZE: '50' });
    for (let i = 0; i < 1000; i++)
      deps.seed({ fullName: `P${String(i).padStart(4, '0')}`, withPhoto: true });
    const first = await (await browser.get('/')).text();
    t.equal(first.match(/<img width="50"/g)?.length, 50);
    t.equal(deps.photos.signCount, 0, 'the page holds only our stable photo paths');
    const paths = [...first.matchAll(/<img width="50" src="([^"]+)"/g)].map((m) => m[1] ?? '');
    for (const path of [...paths.slice(0, 3), ...paths.slice(0, 3)]) {
      t.equal((await browser.get(path)).status, 302);
    }
    t.equal(deps.photos.signCount, 3, 'repeated views reuse the signed URLs');
  },
);
