import { parse } from 'csv-parse/sync';
import t from 'tap';
import { signedInApp } from '../../test-support/sign-in.js';
import { IMPORT_LIMITS } from '../csv/csv-import.js';

const ID_A = '11111111-1111-4111-8111-111111111111';
const ID_B = '22222222-2222-4222-8222-222222222222';

const csvPost = (body: string, type = 'text/csv') => ({
  method: 'POST',
  headers: { 'content-type': type },
  body,
});

t.test('export: every employee, RFC 4180, formula cells defused', async (t) => {
  const { deps, app } = await signedInApp({}, 'viewer');
  deps.seed({ fullName: '=HYPERLINK("http://x.test","click")', location: '+1 Street' });
  deps.seed({ fullName: 'Smith, "Jo"', location: '@home', jobTitle: '-Lead', withPhoto: true });
  deps.seed({ fullName: "'Quoted", location: 'São Paulo', badges: ['apple', 'bug'] });
  for (let i = 0; i < 150; i++) deps.seed({ fullName: `Person ${i}` });
  const res = await app.request('/api/employees.csv');
  t.equal(res.status, 200);
  t.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8; header=present');
  t.match(res.headers.get('content-disposition'), 'attachment; filename="employees.csv"');
  const bytes = new Uint8Array(await res.arrayBuffer());
  t.same([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 BOM for spreadsheets');
  const text = new TextDecoder().decode(bytes);
  t.ok(text.startsWith('id,fullName,jobTitle,location,badges,hasPhoto,'), 'the header');
  t.notMatch(text.replaceAll('\r\n', ''), /\n/, 'records end with CRLF');
  t.match(text, `"'=HYPERLINK(""http://x.test"",""click"")"`, 'quotes doubled, formula prefixed');
  t.match(text, '"Smith, ""Jo"""');
  const records: string[][] = parse(text, { bom: true });
  t.equal(records.length, 154, 'the header and every employee across pages');
  const byName = new Map(records.map((r) => [r[1], r]));
  t.equal(byName.get(`'=HYPERLINK("http://x.test","click")`)?.[3], "'+1 Street");
  t.equal(byName.get('Smith, "Jo"')?.[2], "'-Lead");
  t.equal(byName.get('Smith, "Jo"')?.[3], "'@home");
  t.equal(byName.get('Smith, "Jo"')?.[5], 'yes');
  t.equal(byName.get("''Quoted")?.[4], 'apple bug', "a leading ' is doubled so import can undo it");
  t.same(
    records.flat().filter((cell) => /^[=+\-@\t\r]/.test(cell)),
    [],
    'no cell starts a formula',
  );
});

t.test('round trip: export then import changes nothing', async (t) => {
  const { deps, app } = await signedInApp({}, 'editor');
  deps.seed({ fullName: '=1+1', location: '-x', badges: ['coffee'] });
  deps.seed({ fullName: "'Apostrophe", location: 'Zürich', withPhoto: true });
  deps.seed({ fullName: 'Comma, Quote "q"', jobTitle: '@mention' });
  const before = structuredClone([...deps.employees.items.values()]);
  const exported = await (await app.request('/api/employees.csv')).text();
  const res = await app.request('/api/employees.csv', csvPost(exported));
  t.equal(res.status, 200);
  t.same(await res.json(), { rows: 3, created: 0, updated: 0, unchanged: 3 });
  t.same([...deps.employees.items.values()], before, 'same fields, same versions');
});

t.test('import creates by id, is idempotent, and updates what changed', async (t) => {
  const { deps, app } = await signedInApp({}, 'editor');
  const file = [
    'id,fullName,jobTitle,location,badges',
    `${ID_A},Ada Lovelace,Engineer,London,coffee apple`,
    `${ID_B},Bo Berg,Designer,Oslo,`,
  ].join('\r\n');
  const first = await app.request('/api/employees.csv', csvPost(file));
  t.same(await first.json(), { rows: 2, created: 2, updated: 0, unchanged: 0 });
  t.same(deps.employees.items.get(ID_A)?.badges, ['apple', 'coffee'], 'badges in display order');
  const writes = deps.employees.calls.length;
  const again = await app.request('/api/employees.csv', csvPost(file));
  t.same(await again.json(), { rows: 2, created: 0, updated: 0, unchanged: 2 });
  t.equal(deps.employees.items.get(ID_A)?.version, 1, 'no version bump');
  t.notOk(
    deps.employees.calls.slice(writes).some((call) => call !== 'get'),
    'the second import only read',
  );
  const changed = file.replace('Oslo', 'Bergen');
  const third = await app.request('/api/employees.csv', csvPost(changed));
  t.same(await third.json(), { rows: 2, created: 0, updated: 1, unchanged: 1 });
  t.equal(deps.employees.items.get(ID_B)?.location, 'Bergen');
  t.equal(deps.employees.items.get(ID_B)?.version, 2);
  const noId = await app.request(
    '/api/employees.csv',
    csvPost('fullName,jobTitle,location\nNew Person,Analyst,Tokyo\n'),
  );
  t.same(await noId.json(), { rows: 1, created: 1, updated: 0, unchanged: 0 });
  t.equal(deps.employees.items.size, 3);
});

t.test('every row is checked first; errors carry row numbers and nothing is written', async (t) => {
  const { deps, app } = await signedInApp({}, 'editor');
  const file = [
    'id,fullName,jobTitle,location,badges',
    `${ID_A},Good Row,Engineer,London,`,
    `,,Engineer,London,`,
    `,Bad Badge,Engineer,London,apple rocket`,
    `not-a-uuid,Bad Id,Engineer,London,`,
    `${ID_A},Duplicate,Engineer,London,`,
    `,Fine Again,Engineer,Paris,`,
  ].join('\n');
  const res = await app.request('/api/employees.csv', csvPost(file));
  t.equal(res.status, 400);
  const body = await res.json();
  t.equal(body.error.code, 'validation_failed');
  t.equal(body.error.message, '4 of 6 rows have errors; nothing was written.');
  t.same(
    body.error.issues.map((i: { path: string }) => i.path),
    ['row 3.fullName', 'row 4.badges.1', 'row 5.id', 'row 6.id'],
  );
  t.match(body.error.issues[1].message, 'unknown badge "rocket"');
  t.match(body.error.issues[3].message, 'same id as row 2');
  t.equal(deps.employees.items.size, 0, 'the valid rows were not written either');
  t.notOk(deps.employees.calls.includes('create'));
});

t.test('the error list is bounded', async (t) => {
  const { app } = await signedInApp({}, 'editor');
  const rows = Array.from({ length: 200 }, () => ',,Engineer,London,');
  const res = await app.request(
    '/api/employees.csv',
    csvPost(['id,fullName,jobTitle,location,badges', ...rows].join('\n')),
  );
  const body = await res.json();
  t.equal(body.error.issues.length, IMPORT_LIMITS.listedIssues);
  t.match(body.error.message, '200 of 200 rows have errors');
});

t.test('bad headers, broken CSV, wrong type, empty file', async (t) => {
  const { app } = await signedInApp({}, 'editor');
  const header = await app.request('/api/employees.csv', csvPost('fullName,title,location\n'));
  t.equal(header.status, 400);
  t.same((await header.json()).error.issues, [
    { path: 'row 1', message: 'unknown column "title" (column 2)' },
    { path: 'row 1', message: 'missing column "jobTitle"' },
  ]);
  const broken = await app.request(
    '/api/employees.csv',
    csvPost('fullName,jobTitle,location\n"unclosed,Engineer,London\n'),
  );
  t.equal(broken.status, 400);
  t.equal((await broken.json()).error.code, 'bad_request');
  const ragged = await app.request(
    '/api/employees.csv',
    csvPost('fullName,jobTitle,location\nA,B\n'),
  );
  t.equal(ragged.status, 400);
  const json = await app.request('/api/employees.csv', csvPost('{}', 'application/json'));
  t.equal(json.status, 415);
  const empty = await app.request('/api/employees.csv', csvPost(''));
  t.equal(empty.status, 400);
});

t.test('oversize: more than 5 MB, or more rows than the limit, is 413', async (t) => {
  const { deps, app } = await signedInApp({}, 'editor');
  const big = `fullName,jobTitle,location\n${'x'.repeat(5 * 1024 * 1024 + 20_000)}\n`;
  const res = await app.request('/api/employees.csv', csvPost(big));
  t.equal(res.status, 413);
  t.equal((await res.json()).error.message, 'The CSV file must be at most 5 MB.');
  const many = [
    'fullName,jobTitle,location',
    ...Array.from({ length: IMPORT_LIMITS.rows + 1 }, (_, i) => `P${i},E,L`),
  ].join('\n');
  const rows = await app.request('/api/employees.csv', csvPost(many));
  t.equal(rows.status, 413);
  t.match((await rows.json()).error.message, `at most ${IMPORT_LIMITS.rows} rows`);
  t.equal(deps.employees.items.size, 0);
});

t.test('roles: viewers export, editors import', async (t) => {
  const viewer = await signedInApp({}, 'viewer');
  t.equal((await viewer.app.request('/api/employees.csv')).status, 200);
  const refused = await viewer.app.request('/api/employees.csv', csvPost('fullName\n'));
  t.equal(refused.status, 403);
  t.equal((await viewer.browser.get('/import')).status, 403);
  t.notMatch(await (await viewer.browser.get('/')).text(), 'href="/import"');
  const editor = await signedInApp({}, 'editor');
  t.match(await (await editor.browser.get('/')).text(), '<a href="/import">Import CSV</a>');
});

t.test('the upload page imports a file and lists row errors', async (t) => {
  const { deps, browser } = await signedInApp({}, 'editor');
  const form = await browser.get('/import');
  t.equal(form.status, 200);
  t.match(await form.text(), 'enctype="multipart/form-data"');
  const good = new Blob([`id,fullName,jobTitle,location\n${ID_A},Ada,Engineer,London\n`]);
  const done = await browser.post('/import', { file: good }, { multipart: true });
  t.equal(done.status, 200);
  t.match(await done.text(), 'Imported 1 rows: 1 created, 0 updated, 0 unchanged.');
  t.equal(deps.employees.items.get(ID_A)?.fullName, 'Ada');
  const bad = new Blob(['fullName,jobTitle,location\nAda,,London\n']);
  const refused = await browser.post('/import', { file: bad }, { multipart: true });
  t.equal(refused.status, 400);
  t.match(await refused.text(), 'row 2.jobTitle: Job title is required');
});
