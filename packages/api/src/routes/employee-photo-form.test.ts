import t from 'tap';
import { sampleImage } from '../../test-support/sample-images.js';
import { signedInApp } from '../../test-support/sign-in.js';

const setup = () => signedInApp({}, 'editor');
const photoBlob = async () => new Blob([await sampleImage(300, 400)], { type: 'image/jpeg' });
const fields = { full_name: 'Ada', location: 'London', job_title: 'Analyst' };

t.test('adding without a photo works, as in the JSON API', async (t) => {
  const { deps, browser } = await setup();
  await browser.get('/add');
  // A browser sends an empty file part when no file was chosen.
  const empty = new Blob([], { type: 'application/octet-stream' });
  const res = await browser.post('/save', { ...fields, photo: empty }, { multipart: true });
  t.equal(res.status, 303);
  const [saved] = [...deps.employees.items.values()];
  t.match(saved, { fullName: 'Ada', version: 1 });
  t.equal(saved?.photoKey, undefined);
  t.equal(deps.photos.objects.size, 0);
  const page = await (await browser.get(`/employee/${saved?.id}`)).text();
  t.match(page, 'No photo');
});

t.test('the edit form offers "Remove photo" only when there is one', async (t) => {
  const { deps, browser } = await setup();
  const withPhoto = deps.seed({ withPhoto: true });
  const without = deps.seed();
  t.match(
    await (await browser.get(`/edit/${withPhoto.id}`)).text(),
    /<label class="check"><input type="checkbox" name="remove_photo" value="yes"\/> Remove photo<\/label>/,
  );
  t.notMatch(await (await browser.get(`/edit/${without.id}`)).text(), 'remove_photo');
});

t.test('"Remove photo" clears the key and deletes the object after the write', async (t) => {
  const { deps, browser } = await setup();
  const e = deps.seed({ fullName: 'Old', withPhoto: true, version: 2 });
  await browser.get(`/edit/${e.id}`);
  const form = { employee_id: e.id, version: '2', ...fields, remove_photo: 'yes' };
  const res = await browser.post('/save', form, { multipart: true });
  t.equal(res.status, 303);
  t.equal(res.headers.get('location'), `/employee/${e.id}`);
  const after = deps.employees.items.get(e.id);
  t.match(after, { fullName: 'Ada', version: 3 }, 'one write: the fields and the photo');
  t.equal(after?.photoKey, undefined);
  t.equal(deps.photos.objects.size, 0, 'the object is deleted');
  t.match(await (await browser.get(`/employee/${e.id}`)).text(), 'No photo');
});

t.test('a refused write keeps the photo: stale version with "Remove photo"', async (t) => {
  const { deps, browser } = await setup();
  const e = deps.seed({ withPhoto: true, version: 5 });
  await browser.get(`/edit/${e.id}`);
  const form = { employee_id: e.id, version: '4', ...fields, remove_photo: 'yes' };
  const res = await browser.post('/save', form, { multipart: true });
  t.equal(res.status, 409);
  t.equal(deps.employees.items.get(e.id)?.photoKey, e.photoKey, 'the item still points at it');
  t.ok(e.photoKey && deps.photos.objects.has(e.photoKey), 'so the object stays');
  t.match(await res.text(), /name="remove_photo" value="yes" checked=""/, 'the choice is kept');
});

t.test('a new photo and "Remove photo" together is a field error', async (t) => {
  const { deps, browser } = await setup();
  const e = deps.seed({ withPhoto: true });
  await browser.get(`/edit/${e.id}`);
  const form = { employee_id: e.id, version: '1', ...fields, remove_photo: 'yes' };
  const res = await browser.post(
    '/save',
    { ...form, photo: await photoBlob() },
    { multipart: true },
  );
  t.equal(res.status, 400);
  t.match(await res.text(), 'Choose a new photo or Remove photo, not both.');
  t.same([...deps.photos.objects.keys()], [e.photoKey], 'nothing uploaded or deleted');
  t.equal(deps.employees.items.get(e.id)?.version, 1);
});

t.test('"Remove photo" on the add form is ignored', async (t) => {
  const { deps, browser } = await setup();
  await browser.get('/add');
  const res = await browser.post(
    '/save',
    { ...fields, remove_photo: 'yes', photo: await photoBlob() },
    { multipart: true },
  );
  t.equal(res.status, 303);
  const [saved] = [...deps.employees.items.values()];
  t.ok(saved?.photoKey && deps.photos.objects.has(saved.photoKey), 'the photo is kept');
});
