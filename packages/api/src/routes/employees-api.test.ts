import { errorEnvelopeSchema } from '@empdir/shared';
import t, { type Test } from 'tap';
import { signedInApp } from '../../test-support/sign-in.js';

async function setup() {
  const { deps, app } = await signedInApp({}, 'editor');
  const json = (
    path: string,
    method: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    app.request(path, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return { deps, app, json };
}

const ada = {
  fullName: 'Ada Lovelace',
  location: 'London',
  jobTitle: 'Analyst',
  badges: ['trophy', 'apple'],
};

async function envelope(t: Test, res: Response, status: number, code: string) {
  t.equal(res.status, status);
  const body = errorEnvelopeSchema.parse(await res.json());
  t.equal(body.error.code, code);
  t.equal(body.error.requestId, res.headers.get('x-request-id'));
  return body.error;
}

t.test('POST creates (201, Location, ETag); GET reads it back', async (t) => {
  const { json, app } = await setup();
  const res = await json('/api/employees', 'POST', ada);
  t.equal(res.status, 201);
  const created = await res.json();
  t.match(created, { ...ada, badges: ['apple', 'trophy'], version: 1 });
  t.equal(res.headers.get('location'), `/api/employees/${created.id}`);
  t.equal(res.headers.get('etag'), '"1"');
  const got = await app.request(`/api/employees/${created.id}`);
  t.equal(got.headers.get('etag'), '"1"');
  t.same(await got.json(), created);
  const notModified = await app.request(`/api/employees/${created.id}`, {
    headers: { 'if-none-match': '"1"' },
  });
  t.equal(notModified.status, 304);
});

t.test('POST validates: fields, unknown keys, JSON, content type', async (t) => {
  const { json, app, deps } = await setup();
  const bad = await envelope(
    t,
    await json('/api/employees', 'POST', { ...ada, fullName: '', badges: ['app'], admin: true }),
    400,
    'validation_failed',
  );
  t.same(bad.issues?.map((i) => i.path).sort(), ['', 'badges.0', 'fullName']);
  await envelope(
    t,
    await app.request('/api/employees', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    }),
    400,
    'bad_request',
  );
  await envelope(
    t,
    await app.request('/api/employees', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify(ada),
    }),
    415,
    'unsupported_media_type',
  );
  await envelope(
    t,
    await json('/api/employees', 'POST', { ...ada, location: 'x'.repeat(70_000) }),
    413,
    'payload_too_large',
  );
  t.equal(deps.employees.items.size, 0);
});

t.test('GET /api/employees pages through everyone sorted by name', async (t) => {
  const { deps, app } = await setup();
  for (const name of ['delta', 'Alpha', 'charlie', 'Bravo', 'echo']) deps.seed({ fullName: name });
  const names: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const res = await app.request(`/api/employees?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    t.equal(res.status, 200);
    const page = (await res.json()) as { items: { fullName: string }[]; nextCursor?: string };
    names.push(...page.items.map((i) => i.fullName));
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor);
  t.same(names, ['Alpha', 'Bravo', 'charlie', 'delta', 'echo']);
  t.equal(pages, 3, 'no empty last page');
  t.notOk(deps.employees.calls.includes('scan'));
});

t.test('list query is validated: limit 1..100, cursor opaque', async (t) => {
  const { app } = await setup();
  for (const query of ['limit=0', 'limit=101', 'limit=abc', 'limit=-1']) {
    await envelope(t, await app.request(`/api/employees?${query}`), 400, 'validation_failed');
  }
  await envelope(
    t,
    await app.request('/api/employees?cursor=bm90LWEtY3Vyc29y'),
    400,
    'bad_request',
  );
  t.equal((await app.request('/api/employees?limit=100')).status, 200);
});

t.test('PATCH needs If-Match (428), refuses a stale one (412), applies a fresh one', async (t) => {
  const { deps, json } = await setup();
  const e = deps.seed({ fullName: 'Ada', badges: ['apple'] });
  const path = `/api/employees/${e.id}`;
  await envelope(t, await json(path, 'PATCH', { location: 'Paris' }), 428, 'precondition_required');
  await envelope(
    t,
    await json(path, 'PATCH', { location: 'Paris' }, { 'if-match': 'W/"1"' }),
    400,
    'bad_request',
  );
  const ok = await json(path, 'PATCH', { location: 'Paris' }, { 'if-match': '"1"' });
  t.equal(ok.status, 200);
  t.equal(ok.headers.get('etag'), '"2"');
  t.match(
    await ok.json(),
    { location: 'Paris', badges: ['apple'], version: 2 },
    'badges untouched',
  );
  const stale = await json(path, 'PATCH', { location: 'Rome' }, { 'if-match': '"1"' });
  await envelope(t, stale, 412, 'precondition_failed');
  t.equal(stale.headers.get('etag'), '"2"', 'tells the client the current version');
  t.equal(deps.employees.items.get(e.id)?.location, 'Paris', 'nothing overwritten');
  await envelope(t, await json(path, 'PATCH', {}, { 'if-match': '"2"' }), 400, 'validation_failed');
  t.equal((await json(path, 'PATCH', { jobTitle: 'Boss' }, { 'if-match': '*' })).status, 200);
});

t.test('unknown and malformed ids are 404 and never create anything', async (t) => {
  const { deps, json, app } = await setup();
  await envelope(
    t,
    await app.request('/api/employees/00000000-0000-4000-8000-000000000000'),
    404,
    'not_found',
  );
  await envelope(t, await app.request('/api/employees/not-a-uuid'), 404, 'not_found');
  await envelope(
    t,
    await json(
      '/api/employees/00000000-0000-4000-8000-000000000000',
      'PATCH',
      { location: 'x' },
      { 'if-match': '"1"' },
    ),
    404,
    'not_found',
  );
  t.equal(deps.employees.items.size, 0);
});

t.test('DELETE removes the employee and photo; If-Match is honoured when sent', async (t) => {
  const { deps, app } = await setup();
  const e = deps.seed({ withPhoto: true, version: 2 });
  await envelope(
    t,
    await app.request(`/api/employees/${e.id}`, {
      method: 'DELETE',
      headers: { 'if-match': '"1"' },
    }),
    412,
    'precondition_failed',
  );
  t.equal((await app.request(`/api/employees/${e.id}`, { method: 'DELETE' })).status, 204);
  t.equal(deps.employees.items.size, 0);
  t.equal(deps.photos.objects.size, 0);
  await envelope(
    t,
    await app.request(`/api/employees/${e.id}`, { method: 'DELETE' }),
    404,
    'not_found',
  );
});

t.test('wrong methods are 405 with Allow', async (t) => {
  const { app } = await setup();
  const res = await app.request('/api/employees', { method: 'PUT' });
  await envelope(t, res, 405, 'method_not_allowed');
  t.equal(res.headers.get('allow'), 'GET, POST');
  const one = await app.request('/api/employees/00000000-0000-4000-8000-000000000000', {
    method: 'POST',
  });
  t.equal(one.headers.get('allow'), 'GET, PATCH, DELETE');
  await envelope(t, await app.request('/api/nothing'), 404, 'not_found');
});
