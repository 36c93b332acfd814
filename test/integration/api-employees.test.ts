// The JSON API and the pages against DynamoDB Local (or dynalite) and s3rver, over real sockets.
import t, { type Test } from 'tap';
import { FakeBrowser } from '../../packages/api/test-support/fake-browser.js';
import { createTableIfMissing, dynamoDbClientConfig } from '../support/local-aws.js';
import { api, signedInTransport, startApi, startApiStandins } from './api-harness.js';

// The one API file on DynamoDB Local (when java is here): the API's calls against the official emulator.
const standins = await startApiStandins({ engine: 'auto' });
t.teardown(() => standins.stop());
t.comment(`DynamoDB engine: ${standins.ddb.engine}`);

let tables = 0;
/** The API on a table of the test's own: no test sees another's employees or relies on them. */
async function ownApi(t: Test) {
  const tableName = `Employees-${++tables}`;
  await createTableIfMissing(dynamoDbClientConfig(standins.ddb), tableName);
  const server = await startApi(standins, { PAGE_SIZE: '3', TABLE_NAME: tableName });
  t.teardown(() => server.close());
  return server;
}

const NIL_ID = '0b5c7a9e-4f7e-4a51-9d1a-2b3c4d5e6f70';
const person = (fullName: string) => ({ fullName, location: 'Seattle', jobTitle: 'Engineer' });

t.test('create, then list sorted by name across pages with a validated cursor', async (t) => {
  const server = await ownApi(t);
  const names = ['delta', 'Alpha', 'Émile', 'charlie', 'Bravo', 'alpha', 'echo'];
  for (const name of names) {
    const created = await api(server.url, '/api/employees', { method: 'POST', body: person(name) });
    t.equal(created.status, 201);
  }
  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await api(
      server.url,
      `/api/employees?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
    );
    t.equal(page.status, 200);
    t.ok(page.body.items.length <= 3);
    seen.push(...page.body.items.map((e: { fullName: string }) => e.fullName));
    cursor = page.body.nextCursor;
    pages += 1;
  } while (cursor);
  t.equal(pages, 3);
  t.same(
    seen.slice(0, 2).map((n) => n.toLowerCase()),
    ['alpha', 'alpha'],
    'case-folded',
  );
  t.same(seen.slice(2), ['Bravo', 'charlie', 'delta', 'echo', 'Émile']);
  const tampered = Buffer.from(JSON.stringify({ v: 1, s: 'zzz', id: 'x' })).toString('base64url');
  const bad = await api(server.url, `/api/employees?cursor=${tampered}`);
  t.equal(bad.status, 400);
  t.equal(bad.body.error.code, 'bad_request');
});

t.test(
  'updates are conditional on the version read: a stale If-Match is 412, nothing overwritten',
  async (t) => {
    const server = await ownApi(t);
    const { body: created } = await api(server.url, '/api/employees', {
      method: 'POST',
      body: person('Ada'),
    });
    const path = `/api/employees/${created.id}`;
    const first = await api(server.url, path, {
      method: 'PATCH',
      body: { location: 'London' },
      headers: { 'if-match': '"1"' },
    });
    t.equal(first.status, 200);
    t.equal(first.res.headers.get('etag'), '"2"');
    const stale = await api(server.url, path, {
      method: 'PATCH',
      body: { location: 'Paris' },
      headers: { 'if-match': '"1"' },
    });
    t.equal(stale.status, 412, 'RFC 9110: a false If-Match is 412 Precondition Failed');
    t.equal(stale.body.error.code, 'precondition_failed');
    t.equal(stale.res.headers.get('etag'), '"2"', 'with the current version');
    const missing = await api(server.url, path, { method: 'PATCH', body: { location: 'Paris' } });
    t.equal(missing.status, 428);
    const now = await api(server.url, path);
    t.match(now.body, { location: 'London', version: 2 });
    // Racing writers with the same version: exactly one wins.
    const race = await Promise.all(
      ['Oslo', 'Rome', 'Lima', 'Kyiv'].map((location) =>
        api(server.url, path, {
          method: 'PATCH',
          body: { location },
          headers: { 'if-match': '"2"' },
        }),
      ),
    );
    t.same(race.map((r) => r.status).sort(), [200, 412, 412, 412]);
    t.equal((await api(server.url, path)).body.version, 3);
  },
);

t.test('a renamed employee moves in the sorted list', async (t) => {
  const server = await ownApi(t);
  const { body: e } = await api(server.url, '/api/employees', {
    method: 'POST',
    body: person('zz last'),
  });
  await api(server.url, `/api/employees/${e.id}`, {
    method: 'PATCH',
    body: { fullName: 'AAA first' },
    headers: { 'if-match': '"1"' },
  });
  const page = await api(server.url, '/api/employees?limit=1');
  t.equal(page.body.items[0].fullName, 'AAA first');
});

t.test('an unknown id is never upserted; delete is conditional', async (t) => {
  const server = await ownApi(t);
  const ghost = '00000000-0000-4000-8000-000000000000';
  const patch = await api(server.url, `/api/employees/${ghost}`, {
    method: 'PATCH',
    body: { location: 'x' },
    headers: { 'if-match': '"1"' },
  });
  t.equal(patch.status, 404, 'RFC 9110 §13.2.1: the 404 it would get without If-Match wins');
  t.equal((await api(server.url, `/api/employees/${ghost}`)).status, 404, 'still absent');
  const { body: e } = await api(server.url, '/api/employees', {
    method: 'POST',
    body: person('Temp'),
  });
  const stale = await api(server.url, `/api/employees/${e.id}`, {
    method: 'DELETE',
    headers: { 'if-match': '"7"' },
  });
  t.equal(stale.status, 412);
  t.equal((await api(server.url, `/api/employees/${e.id}`, { method: 'DELETE' })).status, 204);
  t.equal((await api(server.url, `/api/employees/${e.id}`)).status, 404);
  t.equal((await api(server.url, `/api/employees/${e.id}`, { method: 'DELETE' })).status, 404);
});

t.test('the pages over the network: add with the form, list, view, edit, delete', async (t) => {
  const server = await ownApi(t);
  const browser = new FakeBrowser(await signedInTransport(standins, server.url), server.url);
  await browser.get('/add');
  const sharp = (await import('sharp')).default;
  const photo = new Blob([
    new Uint8Array(
      await sharp({ create: { width: 64, height: 48, channels: 3, background: '#39c' } })
        .jpeg()
        .toBuffer(),
    ),
  ]);
  const saved = await browser.post(
    '/save',
    {
      full_name: 'Zed Page',
      location: 'Tromsø',
      job_title: 'Tester',
      badges: ['coffee', 'bug'],
      photo,
    },
    { multipart: true },
  );
  t.equal(saved.status, 303);
  // Straight to the new employee's page: a consistent GetItem, not the list's late index.
  const location = saved.headers.get('location') ?? '';
  t.match(location, /^\/employee\/[0-9a-f-]{36}$/);
  const view = await (await browser.get(location)).text();
  t.match(view, 'Saved!');
  t.match(view, '<h1>Zed Page</h1>');
  t.match(view, '<dd>Tromsø</dd>');
  const list = await api(server.url, '/api/employees?limit=100');
  const zed = list.body.items.find((e: { fullName: string }) => e.fullName === 'Zed Page');
  t.equal(location, `/employee/${zed.id}`);
  t.match(zed, { location: 'Tromsø', badges: ['coffee', 'bug'], photoKey: /^employee-pic\// });
  t.match(view, `src="/api/employees/${zed.id}/photo"`);
  const redirect = await browser.get(`/api/employees/${zed.id}/photo`);
  t.equal(redirect.status, 302, 'our path redirects to the presigned URL');
  t.match(
    redirect.headers.get('location'),
    new RegExp(`^${standins.s3.endpoint}/employee-photos/${zed.photoKey}?`),
  );
  const edit = await browser.post(
    '/save',
    {
      employee_id: zed.id,
      version: '1',
      full_name: 'Zed Page',
      location: 'Bergen',
      job_title: 'Tester',
      badges: ['coffee'],
    },
    { multipart: true },
  );
  t.equal(edit.status, 303);
  t.equal(edit.headers.get('location'), `/employee/${zed.id}`);
  t.match((await api(server.url, `/api/employees/${zed.id}`)).body, {
    location: 'Bergen',
    badges: ['coffee'],
    version: 2,
    photoKey: zed.photoKey,
  });
  t.match(await (await browser.get(`/delete/${zed.id}`)).text(), '<h1>Delete Zed Page?</h1>');
  t.equal((await browser.post(`/delete/${zed.id}`, { version: '2' })).status, 303);
  t.equal((await api(server.url, `/api/employees/${zed.id}`)).status, 404);
  t.match(await (await browser.get('/')).text(), 'Deleted!');
});

t.test('readiness sees the table and the bucket', async (t) => {
  const server = await ownApi(t);
  const ready = await api(server.url, '/readyz');
  t.same(ready.body, { status: 'ready', checks: { table: 'ok', bucket: 'ok' } });
});

t.test('a name NFKC expands past the 1,024-byte key is a 400, never a 502', async (t) => {
  const server = await ownApi(t);
  const res = await api(server.url, '/api/employees', {
    method: 'POST',
    body: person('\uFDFA'.repeat(100)),
  });
  t.equal(res.status, 400);
  t.equal(res.body.error.code, 'validation_failed');
  t.match(res.body.error.issues, [{ path: 'fullName', message: /normalised \(NFKC\)/ }]);
  const forged = Buffer.from(
    JSON.stringify({ v: 1, s: `${'é'.repeat(600)}#${NIL_ID}`, id: NIL_ID }),
  ).toString('base64url');
  const page = await api(server.url, `/api/employees?cursor=${forged}`);
  t.equal(page.status, 400, 'a cursor too long for a key is refused before DynamoDB sees it');
});
