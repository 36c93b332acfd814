import t from 'tap';
import { DIRECTORY_PAGE_SIZE as EVERYONE_PAGE_SIZE } from '../../test-support/memory-employee-store.js';
import { signedInApp } from '../../test-support/sign-in.js';

const names = (html: string) =>
  [...html.matchAll(/<a href="\/employee\/[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]);

t.test('GET /everyone lists every employee on one page, sorted, with photos', async (t) => {
  const { deps, browser } = await signedInApp({}, 'viewer');
  const count = EVERYONE_PAGE_SIZE * 2 + 7;
  for (let i = 0; i < count; i++) {
    deps.seed({ fullName: `Person ${String(i).padStart(4, '0')}`, withPhoto: i % 2 === 0 });
  }
  const ada = deps.seed({ fullName: 'Ada <script>', badges: ['apple'], withPhoto: true });
  const res = await browser.get('/everyone');
  t.equal(res.status, 200);
  t.equal(res.headers.get('content-type'), 'text/html; charset=UTF-8');
  t.equal(res.headers.get('cache-control'), 'no-store');
  t.match(res.headers.get('content-security-policy'), "default-src 'none'");
  const html = await res.text();
  const listed = names(html);
  t.equal(listed.length, count + 1, 'everyone, across three index pages');
  t.equal(listed[0], 'Ada &lt;script&gt;', 'names are escaped');
  t.same(listed.slice(1), [...listed.slice(1)].sort());
  t.equal(deps.employees.calls.filter((c) => c === 'list').length, 3, 'one Query per page');
  t.match(
    html,
    `alt="Ada &lt;script&gt;" src="https://photos.example.test/${ada.photoKey}?signature=1"`,
  );
  t.equal(html.match(/<img /g)?.length, Math.ceil(count / 2) + 1, 'a photo for each who has one');
  t.match(html, '<i class="fa fa-apple" title="Mac User"');
  t.match(html, /<\/table>.*<\/html>$/s, 'the page is closed after the last row');
  t.notMatch(html, '<script>');
});

t.test('the head and first rows are sent before the next page is read', async (t) => {
  const { deps, app } = await signedInApp({}, 'viewer');
  for (let i = 0; i < EVERYONE_PAGE_SIZE + 1; i++) deps.seed({ fullName: `P ${i}` });
  const list = deps.employees.list.bind(deps.employees);
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  let calls = 0;
  deps.employees.list = async (query) => {
    calls += 1;
    if (calls === 2) await held;
    return list(query);
  };
  const res = await app.request('/everyone');
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let seen = '';
  while (names(seen).length < EVERYONE_PAGE_SIZE)
    seen += decoder.decode((await reader.read()).value);
  t.match(seen, '<!doctype html>');
  t.notMatch(seen, '</html>', 'the page is still open while the second page is read');
  release();
  for (let r = await reader.read(); !r.done; r = await reader.read())
    seen += decoder.decode(r.value);
  t.equal(names(seen).length, EVERYONE_PAGE_SIZE + 1);
  t.match(seen, '</html>');
});

t.test('a store failure after the head ends the page with a notice', async (t) => {
  const { deps, browser } = await signedInApp({}, 'viewer');
  for (let i = 0; i < EVERYONE_PAGE_SIZE + 1; i++) deps.seed({ fullName: `P ${i}` });
  const list = deps.employees.list.bind(deps.employees);
  deps.employees.list = async (query) => {
    if (query.cursor) deps.employees.unavailable = true;
    return list(query);
  };
  const res = await browser.get('/everyone');
  t.equal(res.status, 200);
  const html = await res.text();
  t.equal(names(html).length, EVERYONE_PAGE_SIZE);
  t.match(html, 'role="alert">The list stops here');
  t.match(html, '</html>');
});

t.test('an unreachable table before the head is a 503 page', async (t) => {
  const { deps, browser } = await signedInApp({}, 'viewer');
  deps.employees.unavailable = true;
  const res = await browser.get('/everyone');
  t.equal(res.status, 503);
});

t.test('an edited employee shows the new fields (rows are cached per version)', async (t) => {
  const { deps, browser, app } = await signedInApp({}, 'editor');
  const e = deps.seed({ fullName: 'Old Name' });
  t.same(names(await (await browser.get('/everyone')).text()), ['Old Name']);
  const patched = await app.request(`/api/employees/${e.id}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', 'if-match': '"1"' },
    body: JSON.stringify({ fullName: 'New Name' }),
  });
  t.equal(patched.status, 200);
  t.same(names(await (await browser.get('/everyone')).text()), ['New Name']);
});

t.test('the list page links to /everyone; an empty directory says so', async (t) => {
  const { browser } = await signedInApp({}, 'viewer');
  t.match(await (await browser.get('/')).text(), '<a href="/everyone">Everyone on one page</a>');
  t.match(await (await browser.get('/everyone')).text(), 'Empty Directory');
});

t.test('items the store skipped as malformed leave the rest of the page intact', async (t) => {
  const { deps, browser } = await signedInApp({}, 'viewer');
  const ada = deps.seed({ fullName: 'Ada' });
  deps.employees.directory = async function* () {
    yield { rows: [], skipped: ['bad-1'] };
    yield { rows: [ada], skipped: ['bad-2'] };
  };
  const res = await browser.get('/everyone');
  t.equal(res.status, 200);
  const html = await res.text();
  t.same(names(html), ['Ada'], 'the valid row after a page of only skipped items');
  t.notMatch(html, 'Empty Directory', 'not called empty when the first page was all skipped');
  t.match(html, '</html>');
});
