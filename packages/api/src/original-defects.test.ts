// One test per defect of the original Flask sample (issue #5), each fixed here.
import sharp from 'sharp';
import t from 'tap';
import { opaqueBox, sampleImage } from '../test-support/sample-images.js';
import { signedInApp } from '../test-support/sign-in.js';
import { createInstanceInfoSource } from './info/instance-info.js';
import { createLogger } from './log.js';

async function setup(env: Record<string, string> = {}) {
  const signedIn = await signedInApp(env);
  await signedIn.browser.get('/');
  return signedIn;
}

/** The fields a browser would post back from the edit form as rendered. */
function formFromEditPage(html: string): Record<string, string | string[]> {
  const value = (name: string) =>
    new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
  const badges = [...html.matchAll(/name="badges" value="([^"]+)" checked=""/g)].map(
    (m) => m[1] ?? '',
  );
  return {
    employee_id: value('employee_id'),
    version: value('version'),
    full_name: value('full_name'),
    location: value('location'),
    job_title: value('job_title'),
    badges,
  };
}

t.test('badges survive re-saving the edit form unchanged (were corrupted)', async (t) => {
  const { deps, browser } = await setup();
  const e = deps.seed({ badges: ['video-camera', 'coffee', 'umbrella'] });
  for (let round = 0; round < 3; round++) {
    const html = await (await browser.get(`/edit/${e.id}`)).text();
    t.equal((await browser.post('/save', formFromEditPage(html), { multipart: true })).status, 303);
  }
  t.same(deps.employees.items.get(e.id)?.badges, ['video-camera', 'coffee', 'umbrella']);
  t.equal(deps.employees.items.get(e.id)?.version, 4);
});

t.test('"video-camera" does not also show "camera" (was substring matching)', async (t) => {
  const { deps, browser } = await setup();
  const e = deps.seed({ badges: ['video-camera'] });
  const list = await (await browser.get('/')).text();
  t.match(list, 'class="fa fa-video-camera"');
  t.notMatch(list, 'class="fa fa-camera"');
  t.notMatch(await (await browser.get(`/employee/${e.id}`)).text(), 'Photographer');
  const edit = await (await browser.get(`/edit/${e.id}`)).text();
  t.match(edit, 'value="video-camera" checked=""');
  t.notMatch(edit, 'value="camera" checked');
});

t.test('an unknown id is a 404 page (was a 500)', async (t) => {
  const { browser } = await setup();
  for (const path of [
    '/employee/00000000-0000-4000-8000-000000000000',
    '/edit/nope',
    '/employee/%3Cscript%3E',
  ]) {
    const res = await browser.get(path);
    t.equal(res.status, 404, path);
    t.match(await res.text(), 'No such employee.');
  }
});

t.test('a tall narrow upload is fitted inside 120x160 (was a tuple comparison)', async (t) => {
  const { deps, browser } = await setup();
  const photo = new Blob([await sampleImage(100, 500)]);
  await browser.post(
    '/save',
    { full_name: 'A', location: 'B', job_title: 'C', photo },
    { multipart: true },
  );
  const [stored] = [...deps.photos.objects.values()];
  t.ok(stored);
  if (!stored) return;
  const meta = await sharp(stored).metadata();
  t.same([meta.format, meta.width, meta.height], ['png', 120, 160]);
  t.same(await opaqueBox(stored), { width: 32, height: 160, left: 44, top: 0 });
});

t.test(
  'a failed upload is an error, never "Saved!" with a dangling key (was swallowed)',
  async (t) => {
    const { deps, browser } = await setup();
    const e = deps.seed({ withPhoto: true });
    deps.photos.failing.add('put');
    const photo = new Blob([await sampleImage(50, 50)]);
    const created = await browser.post(
      '/save',
      { full_name: 'New', location: 'B', job_title: 'C', photo },
      { multipart: true },
    );
    t.equal(created.status, 503);
    t.notMatch(await created.text(), 'Saved!');
    t.equal(deps.employees.items.size, 1, 'no item created');
    const edit = await browser.post(
      '/save',
      { employee_id: e.id, version: '1', full_name: 'X', location: 'B', job_title: 'C', photo },
      { multipart: true },
    );
    t.equal(edit.status, 503);
    t.same(deps.employees.items.get(e.id), e, 'item untouched, still pointing at its photo');
    t.notMatch(await (await browser.get('/')).text(), 'Saved!');
  },
);

t.test('when the item write fails after the upload, the new object is deleted', async (t) => {
  const { deps, browser } = await setup();
  deps.employees.create = async () => {
    throw Object.assign(new Error('boom'), { name: 'InternalServerError' });
  };
  const photo = new Blob([await sampleImage(50, 50)]);
  const res = await browser.post(
    '/save',
    { full_name: 'A', location: 'B', job_title: 'C', photo },
    { multipart: true },
  );
  t.equal(res.status, 500);
  t.equal(deps.photos.objects.size, 0, 'no orphan');
});

t.test('delete and photo replacement remove the old S3 object (were orphaned)', async (t) => {
  const { deps, browser } = await setup();
  const a = deps.seed({ withPhoto: true });
  const b = deps.seed({ withPhoto: true });
  await browser.post(`/delete/${a.id}`, { version: '1' });
  t.notOk(deps.photos.objects.has(a.photoKey ?? ''), 'deleted with the employee');
  const photo = new Blob([await sampleImage(50, 50)]);
  await browser.post(
    '/save',
    { employee_id: b.id, version: '1', full_name: 'B', location: 'B', job_title: 'B', photo },
    { multipart: true },
  );
  t.notOk(deps.photos.objects.has(b.photoKey ?? ''), 'replaced photo deleted');
  t.equal(deps.photos.objects.size, 1);
});

t.test('the list is one sorted page per request (was an unpaginated, unsorted scan)', async (t) => {
  const { deps, browser } = await setup({ PAGE_SIZE: '10' });
  for (let i = 0; i < 25; i++) deps.seed({ fullName: `Person ${String(25 - i).padStart(2, '0')}` });
  deps.employees.calls.length = 0;
  const html = await (await browser.get('/')).text();
  const names = [...html.matchAll(/<a href="\/employee\/[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]);
  t.equal(names.length, 10);
  t.same(names, [...names].sort());
  t.equal(names[0], 'Person 01');
  t.same(deps.employees.calls, ['list'], 'one Query, no Scan');
  t.match(html, 'rel="next"');
});

t.test(
  'invalid input re-renders the form, 400, keeping what was typed (was 200 plain text)',
  async (t) => {
    const { deps, browser } = await setup();
    const res = await browser.post(
      '/save',
      { full_name: 'Ada', location: '', job_title: 'x'.repeat(101), badges: ['apple', 'admin'] },
      { multipart: true },
    );
    t.equal(res.status, 400);
    t.match(res.headers.get('content-type'), 'text/html');
    const html = await res.text();
    t.match(html, 'Location is required');
    t.match(html, 'Job title must be at most 100 characters');
    t.match(html, 'Choose badges from the list only.');
    t.notMatch(html, 'Photo is required', 'a photo is optional, as in the JSON API');
    t.match(html, 'name="full_name" value="Ada"');
    t.match(html, 'value="apple" checked=""');
    t.equal(deps.employees.items.size, 0);
  },
);

t.test('an oversize upload is refused with 413 (there was no limit)', async (t) => {
  const { deps, browser } = await setup();
  const huge = new Blob([new Uint8Array(6 * 1024 * 1024)]);
  const res = await browser.post(
    '/save',
    { full_name: 'A', location: 'B', job_title: 'C', photo: huge },
    { multipart: true },
  );
  t.equal(res.status, 413);
  t.equal(deps.employees.items.size, 0);
});

t.test('unknown badge values are refused (were stored as sent)', async (t) => {
  const { deps, app } = await setup();
  const res = await app.request('/api/employees', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      fullName: 'A',
      location: 'B',
      jobTitle: 'C',
      badges: ['apple', 'root'],
    }),
  });
  t.equal(res.status, 400);
  t.match((await res.json()).error.issues, [{ path: 'badges.1', message: /unknown badge "root"/ }]);
  t.equal(deps.employees.items.size, 0);
});

t.test('delete and stress are POST with CSRF (were GET links)', async (t) => {
  const { deps, app } = await setup();
  const e = deps.seed();
  // GET only asks (the confirmation page); the delete itself is the confirmation's POST.
  const ask = await app.request(`/delete/${e.id}`);
  t.equal(ask.status, 200);
  t.match(await ask.text(), `<form method="post" action="/delete/${e.id}"`);
  t.equal((await app.request('/info/stress_cpu/600')).status, 404);
  t.equal((await app.request('/info/stress?minutes=10')).status, 405);
  t.equal(deps.employees.items.size, 1);
  t.same(deps.stress.starts, []);
});

t.test('stress time is bounded to 1, 5 or 10 minutes (was any number of seconds)', async (t) => {
  const { deps, browser } = await setup();
  await browser.get('/info');
  t.equal((await browser.post('/info/stress', { minutes: '100000' })).status, 400);
  t.equal((await browser.post('/info/stress', { minutes: '10' })).status, 303);
  t.same(deps.stress.starts, [10]);
});

t.test('a tampered id cannot create an item (was an upsert)', async (t) => {
  const { deps, browser } = await setup();
  const res = await browser.post(
    '/save',
    {
      employee_id: '00000000-0000-4000-8000-000000000000',
      version: '1',
      full_name: 'A',
      location: 'B',
      job_title: 'C',
    },
    { multipart: true },
  );
  t.equal(res.status, 404);
  const garbage = await browser.post(
    '/save',
    { employee_id: '../x', version: '1', full_name: 'A', location: 'B', job_title: 'C' },
    { multipart: true },
  );
  t.equal(garbage.status, 404);
  t.equal(deps.employees.items.size, 0);
});

t.test('a stale edit is a 409 that overwrites nothing and keeps the typed values', async (t) => {
  const { deps, browser } = await setup();
  const e = deps.seed({ fullName: 'Original' });
  const staleForm = formFromEditPage(await (await browser.get(`/edit/${e.id}`)).text());
  // Someone else saves first.
  const other = formFromEditPage(await (await browser.get(`/edit/${e.id}`)).text());
  await browser.post('/save', { ...other, full_name: 'Theirs' }, { multipart: true });
  const res = await browser.post('/save', { ...staleForm, full_name: 'Mine' }, { multipart: true });
  t.equal(res.status, 409);
  const html = await res.text();
  t.match(html, 'Someone else changed this employee');
  t.match(html, 'name="full_name" value="Mine"');
  t.match(html, 'name="version" value="2"', 'offers the current version for a deliberate re-save');
  t.equal(deps.employees.items.get(e.id)?.fullName, 'Theirs');
});

t.test('the instance lookup has a short timeout (the IMDS call had none)', async (t) => {
  const hanging = ((_url: string, init?: RequestInit) =>
    new Promise((_resolve, reject) => {
      init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
    })) as typeof fetch;
  const source = createInstanceInfoSource({
    url: 'http://127.0.0.1:1/v1/instance',
    tokenFile: undefined,
    token: 'x',
    lambdaFunctionName: undefined,
    timeoutMs: 20,
    now: () => 0,
    logger: createLogger('silent'),
    fetch: hanging,
  });
  // AbortSignal.timeout's timer does not hold the process open; this one does, briefly.
  const keepAlive = setTimeout(() => {}, 5_000);
  t.same(await source.get(), { kind: 'unavailable' });
  clearTimeout(keepAlive);
});
