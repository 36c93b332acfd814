// When S3 or DynamoDB stops answering, the API says 503 upstream_unavailable, leaks nothing,
// logs the cause with the request id, and leaves the data as it was.
import t, { type Test } from 'tap';
import { createLogger } from '../../packages/api/src/index.js';
import { api, startApi, startApiStandins } from './api-harness.js';

/** Each test stops stand-ins, so each gets its own, its own API and one employee in it. */
async function outageStack(t: Test) {
  const standins = await startApiStandins();
  t.teardown(() => standins.stop());
  const logLines: Record<string, unknown>[] = [];
  const logger = createLogger('error', {
    write: (line: string) => void logLines.push(JSON.parse(line)),
  });
  const server = await startApi(standins, { READINESS_CACHE_MS: '0' }, { logger });
  t.teardown(() => server.close());
  const { body: ada } = await api(server.url, '/api/employees', {
    method: 'POST',
    body: { fullName: 'Ada', location: 'London', jobTitle: 'Analyst' },
  });
  return { standins, server, logLines, ada };
}

t.test('S3 down: the upload is a 503 and the employee is untouched', async (t) => {
  const { standins, server, logLines, ada } = await outageStack(t);
  await standins.s3.stop();
  const sharp = (await import('sharp')).default;
  const photo = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
    .png()
    .toBuffer();
  const res = await fetch(`${server.url}/api/employees/${ada.id}/photo`, {
    method: 'PUT',
    headers: { 'content-type': 'image/png', authorization: `Bearer ${standins.token}` },
    body: new Uint8Array(photo),
  });
  t.equal(res.status, 503);
  const body = await res.json();
  t.equal(body.error.code, 'upstream_unavailable');
  t.notMatch(JSON.stringify(body), /ECONNREFUSED|127\.0\.0\.1|s3/i);
  t.match((await api(server.url, `/api/employees/${ada.id}`)).body, {
    version: 1,
    photoKey: undefined,
  });
  const ready = await api(server.url, '/readyz');
  t.equal(ready.status, 503);
  t.same(ready.body.checks, { table: 'ok', bucket: 'unavailable' });
  const logged = logLines.find((l) => (l.requestId as string) === body.error.requestId);
  t.match(logged, {
    msg: 'request failed',
    code: 'upstream_unavailable',
    err: { type: 'UpstreamError' },
  });
});

t.test('DynamoDB down: pages and JSON are 503 with a fixed message', async (t) => {
  const { standins, server } = await outageStack(t);
  await standins.ddb.stop();
  const list = await api(server.url, '/api/employees');
  t.equal(list.status, 503);
  t.same(Object.keys(list.body.error).sort(), ['code', 'message', 'requestId']);
  t.equal(
    list.body.error.message,
    'The directory is temporarily unavailable. Try again in a moment.',
  );
  const page = await fetch(`${server.url}/`, {
    headers: { authorization: `Bearer ${standins.token}` },
  });
  t.equal(page.status, 503);
  t.match(page.headers.get('content-type'), 'text/html');
  const html = await page.text();
  t.match(html, 'The directory is temporarily unavailable');
  t.notMatch(html, /ECONNREFUSED|DynamoDB|at \w+ \(/);
  const ready = await api(server.url, '/readyz');
  t.same(ready.body.checks, { table: 'unavailable', bucket: 'ok' });
  t.equal((await api(server.url, '/healthz')).status, 200, 'liveness is not readiness');
});
