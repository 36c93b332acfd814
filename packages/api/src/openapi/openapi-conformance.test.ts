import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import t, { type Test } from 'tap';
import { sampleImage } from '../../test-support/sample-images.js';
import { signedInApp } from '../../test-support/sign-in.js';
import { createApp } from '../app.js';
import { ROUTE_POLICY } from '../security/route-policy.js';
import { API_ROUTES, API_SCHEMAS } from './api-routes.js';
import { buildOpenApiDocument } from './openapi-document.js';

type Operation = {
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
};

const doc = buildOpenApiDocument();
const ajv = new Ajv2020({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

/** Checks one real response against the document: status documented, body matches its schema. */
async function conforms(
  t: Test,
  method: string,
  template: string,
  res: Response,
  expectedStatus: number,
) {
  const label = `${method} ${template} → ${res.status}`;
  t.equal(res.status, expectedStatus, label);
  const operation = (doc.paths[template] as Record<string, Operation> | undefined)?.[
    method.toLowerCase()
  ];
  if (!operation) return t.fail(`${method} ${template} is not in the document`);
  const documented = operation.responses[String(res.status)];
  if (!documented) return t.fail(`${label}: status not documented`);
  const type = (res.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  const body = await res.text();
  if (!documented.content) return t.equal(body, '', `${label}: no body, as documented`);
  const media = documented.content[type];
  if (!media) return t.fail(`${label}: content type ${type} not documented`);
  const value = type === 'application/json' ? JSON.parse(body) : body;
  const valid = ajv.validate(media.schema, value);
  t.ok(valid, `${label}: body matches the document`, { errors: ajv.errors });
}

t.test('every /api route of the policy is in the document, and nothing else', async (t) => {
  const declared = ROUTE_POLICY.filter((rule) => rule.path.startsWith('/api/')).map(
    (rule) => `${rule.method} ${openApiPath(rule.path)}`,
  );
  const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((key) => ['get', 'post', 'put', 'patch', 'delete'].includes(key))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
  t.same(
    declared.filter((route) => !documented.includes(route)),
    [],
    'none missing',
  );
  t.same(
    documented.filter((route) => !declared.includes(route)),
    [],
    'none extra',
  );
});

t.test('the document is generated from the schemas the handlers use', async (t) => {
  t.equal(doc.openapi, '3.1.0');
  const post = API_ROUTES.find((r) => r.method === 'post' && r.path === '/api/employees');
  t.equal(
    post?.request?.body?.content['application/json']?.schema,
    API_SCHEMAS.EmployeeCreate,
    'the route spec holds the shared create schema itself',
  );
  t.same(Object.keys(doc.components.schemas).sort(), Object.keys(API_SCHEMAS).sort());
  const served = await createApp((await signedInApp()).deps).request('/openapi.json');
  t.equal(served.status, 401, 'the document needs a signed-in user');
  const { app } = await signedInApp({}, 'viewer');
  t.same(await (await app.request('/openapi.json')).json(), JSON.parse(JSON.stringify(doc)));
});

t.test('real responses of every route match the document', async (t) => {
  const { deps, app } = await signedInApp({}, 'editor');
  const viewer = await signedInApp({}, 'viewer');
  const json = (method: string, body: unknown, headers: Record<string, string> = {}) => ({
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const list = '/api/employees';
  const one = '/api/employees/{id}';
  const photo = '/api/employees/{id}/photo';
  const csv = '/api/employees.csv';
  const input = { fullName: 'Ada', location: 'London', jobTitle: 'Engineer', badges: ['bug'] };

  await conforms(t, 'POST', list, await app.request(list, json('POST', input)), 201);
  await conforms(t, 'POST', list, await app.request(list, json('POST', { fullName: '' })), 400);
  await conforms(t, 'POST', list, await app.request(list, { method: 'POST', body: 'x' }), 415);
  const big = json('POST', { ...input, fullName: 'x'.repeat(70_000) });
  await conforms(t, 'POST', list, await app.request(list, big), 413);
  await conforms(t, 'POST', list, await viewer.app.request(list, json('POST', input)), 403);
  const anonymous = createApp(deps);
  await conforms(t, 'GET', list, await anonymous.request(list), 401);

  const ada = [...deps.employees.items.values()][0];
  if (!ada) throw new Error('the create did not store Ada');
  const id = `/api/employees/${ada.id}`;
  await conforms(t, 'GET', list, await app.request(`${list}?limit=1`), 200);
  await conforms(t, 'GET', list, await app.request(`${list}?limit=x`), 400);
  await conforms(t, 'GET', one, await app.request(id), 200);
  await conforms(
    t,
    'GET',
    one,
    await app.request(id, { headers: { 'if-none-match': '"1"' } }),
    304,
  );
  await conforms(t, 'GET', one, await app.request(`${list}/${crypto.randomUUID()}`), 404);
  const patch = (body: unknown, ifMatch?: string) =>
    app.request(id, json('PATCH', body, ifMatch ? { 'if-match': ifMatch } : {}));
  await conforms(t, 'PATCH', one, await patch({ location: 'Paris' }, '"1"'), 200);
  await conforms(t, 'PATCH', one, await patch({ location: 'Rome' }, '"1"'), 412);
  await conforms(t, 'PATCH', one, await patch({ location: 'Rome' }), 428);
  await conforms(t, 'PATCH', one, await patch({ badges: ['rocket'] }, '"2"'), 400);

  const image = await sampleImage(300, 400);
  const put = (body: BodyInit, type: string) =>
    app.request(`${id}/photo`, { method: 'PUT', headers: { 'content-type': type }, body });
  await conforms(t, 'PUT', photo, await put(image, 'image/jpeg'), 200);
  await conforms(t, 'PUT', photo, await put('text', 'text/plain'), 415);
  await conforms(t, 'GET', photo, await app.request(`${id}/photo`), 302);
  await conforms(t, 'DELETE', photo, await app.request(`${id}/photo`, { method: 'DELETE' }), 200);
  await conforms(t, 'GET', photo, await app.request(`${id}/photo`), 404);

  const file = 'fullName,jobTitle,location\nBo,Designer,Oslo\n';
  const post = (body: string, type = 'text/csv') =>
    app.request(csv, { method: 'POST', headers: { 'content-type': type }, body });
  await conforms(t, 'POST', csv, await post(file), 200);
  await conforms(t, 'POST', csv, await post('fullName,jobTitle,location\n,,\n'), 400);
  await conforms(t, 'POST', csv, await post(file, 'application/json'), 415);
  await conforms(t, 'GET', csv, await viewer.app.request(csv), 200);

  await conforms(t, 'DELETE', one, await app.request(id, { method: 'DELETE' }), 204);
  await conforms(t, 'DELETE', one, await app.request(id, { method: 'DELETE' }), 404);
  deps.employees.unavailable = true;
  await conforms(t, 'GET', list, await app.request(list), 503);
  await conforms(t, 'GET', csv, await app.request(csv), 503);
});
