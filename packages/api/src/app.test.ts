import t from 'tap';
import { signedInApp } from '../test-support/sign-in.js';

const setup = () => signedInApp();

t.test('strict security headers on pages, API and errors', async (t) => {
  const { app } = await setup();
  for (const path of ['/', '/api/employees', '/nowhere', '/docs']) {
    const res = await app.request(path);
    const csp = res.headers.get('content-security-policy') ?? '';
    t.match(csp, "default-src 'none'", path);
    t.match(csp, "img-src 'self' https://photos.example.test");
    t.match(csp, "frame-ancestors 'none'");
    t.match(csp, "form-action 'self' https://idp.example.test", 'sign-out redirects there');
    t.notMatch(csp, /script-src|unsafe-inline/, 'no script source at all');
    t.equal(res.headers.get('x-content-type-options'), 'nosniff');
    t.equal(res.headers.get('x-frame-options'), 'DENY');
    t.equal(res.headers.get('referrer-policy'), 'no-referrer');
  }
});

t.test('request ids: generated, or echoed when the caller sent a sane one', async (t) => {
  const { app, deps } = await setup();
  const res = await app.request('/healthz');
  t.match(res.headers.get('x-request-id'), /^[0-9a-f-]{36}$/);
  const echoed = await app.request('/', { headers: { 'x-request-id': 'trace-123' } });
  t.equal(echoed.headers.get('x-request-id'), 'trace-123');
  const line = deps.logLines.find((l) => l.requestId === 'trace-123');
  t.match(line, { method: 'GET', path: '/', status: 200, msg: 'request' });
});

t.test('DynamoDB unreachable: 503 page and JSON, fixed text, cause only in the log', async (t) => {
  const { app, deps } = await setup();
  deps.employees.unavailable = true;
  const page = await app.request('/');
  t.equal(page.status, 503);
  t.equal(page.headers.get('retry-after'), '5');
  const html = await page.text();
  t.match(html, 'The directory is temporarily unavailable');
  t.notMatch(html, /ECONNREFUSED|at \w+ \(/, 'no AWS text, no stack');
  const api = await app.request('/api/employees');
  t.equal(api.status, 503);
  const body = await api.json();
  t.same(body, {
    error: {
      code: 'upstream_unavailable',
      message: 'The directory is temporarily unavailable. Try again in a moment.',
      requestId: api.headers.get('x-request-id'),
    },
  });
  const logged = deps.logLines.find(
    (l) => l.msg === 'request failed' && l.requestId === body.error.requestId,
  );
  t.match(logged, { level: 50, code: 'upstream_unavailable', err: { type: 'UpstreamError' } });
  t.match(JSON.stringify(logged), 'ECONNREFUSED', 'the cause is logged');
});

t.test('an unexpected error is a plain 500 that hides the message', async (t) => {
  const { app, deps } = await setup();
  deps.employees.list = async () => {
    throw new Error('secret internals');
  };
  const res = await app.request('/api/employees');
  t.equal(res.status, 500);
  const body = await res.json();
  t.equal(body.error.code, 'internal_error');
  t.notMatch(JSON.stringify(body), 'secret internals');
});

t.test('a script in any field is escaped on every page', async (t) => {
  const { deps, browser } = await setup();
  const evil = '<script>alert(1)</script>';
  const e = deps.seed({
    fullName: evil,
    location: `"><img src=x onerror=alert(1)>`,
    jobTitle: evil,
  });
  for (const path of ['/', `/employee/${e.id}`, `/edit/${e.id}`]) {
    const html = await (await browser.get(path)).text();
    t.notMatch(html, '<script>', path);
    t.notMatch(html, '<img src=x', path);
    t.match(html, '&lt;script&gt;alert(1)&lt;/script&gt;', path);
  }
  // Typed values echoed back after a validation error are escaped too.
  const res = await browser.post(
    '/save',
    { full_name: evil, location: '', job_title: 'x' },
    { multipart: true },
  );
  t.equal(res.status, 400);
  const html = await res.text();
  t.notMatch(html, '<script>');
  t.match(html, 'value="&lt;script&gt;alert(1)&lt;/script&gt;"');
});

t.test('unknown pages are an HTML 404; unknown API paths a JSON 404', async (t) => {
  const { app } = await setup();
  const page = await app.request('/nowhere', { headers: { accept: 'text/html' } });
  t.equal(page.status, 404);
  t.match(page.headers.get('content-type'), 'text/html');
  const api = await app.request('/api/nowhere');
  t.equal((await api.json()).error.code, 'not_found');
  const asJson = await app.request('/nowhere', { headers: { accept: 'application/json' } });
  t.equal((await asJson.json()).error.code, 'not_found');
});

t.test('/healthz always; /readyz checks table and bucket, and drains on shutdown', async (t) => {
  const { app, deps } = await setup();
  t.same(await (await app.request('/healthz')).json(), { status: 'ok' });
  const ready = await app.request('/readyz');
  t.same(await ready.json(), { status: 'ready', checks: { table: 'ok', bucket: 'ok' } });
  deps.photos.failing.add('ready');
  deps.advance(5_000);
  const notReady = await app.request('/readyz');
  t.equal(notReady.status, 503);
  t.match(await notReady.json(), {
    error: { code: 'upstream_unavailable' },
    checks: { bucket: 'unavailable' },
  });
  deps.photos.failing.clear();
  deps.shuttingDown = true;
  t.equal((await app.request('/readyz')).status, 503);
  t.equal((await app.request('/healthz')).status, 200);
});

t.test(
  '/openapi.json is generated from the schemas; /docs renders it without scripts',
  async (t) => {
    const { app } = await setup();
    const doc = await (await app.request('/openapi.json')).json();
    t.equal(doc.openapi, '3.1.0');
    t.same(Object.keys(doc.paths), [
      '/api/employees',
      '/api/employees/{id}',
      '/api/employees/{id}/photo',
      '/api/employees.csv',
    ]);
    t.same(doc.components.schemas.EmployeeCreate.properties.fullName, {
      type: 'string',
      minLength: 1,
      maxLength: 100,
    });
    t.equal(doc.components.schemas.EmployeeCreate.additionalProperties, false);
    t.same(doc.security, [{ bearer: [] }, { session: [] }], 'both ways to sign in');
    t.match(doc.components.securitySchemes, {
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      session: { type: 'apiKey', in: 'cookie', name: 'empdir_session' },
    });
    t.ok(doc.paths['/api/employees'].post.responses['403'], '403 documented');
    t.same(
      doc.components.schemas.Error.properties.error.properties.code.enum.includes(
        'version_conflict',
      ),
      true,
    );
    const docs = await (await app.request('/docs')).text();
    t.match(docs, '<code>/api/employees/{id}/photo</code>');
    t.match(docs, '428');
    t.notMatch(docs, /<script|https?:\/\/cdn/i);
    const css = await app.request('/static/app.css');
    t.match(css.headers.get('content-type'), 'text/css');
    t.match(await css.text(), 'body{');
  },
);

t.test('a POST-only page answers 405 to GET (delete has its confirmation page)', async (t) => {
  const { app } = await setup();
  for (const path of ['/save']) {
    const res = await app.request(path);
    t.equal(res.status, 405, path);
    t.equal(res.headers.get('allow'), 'POST');
  }
});
