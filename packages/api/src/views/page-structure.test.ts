import t from 'tap';
import { signedInApp } from '../../test-support/sign-in.js';

/** Heading levels in document order. */
const headings = (html: string) => [...html.matchAll(/<h([1-6])[\s>]/g)].map((m) => Number(m[1]));

/** Inputs a person fills in that have no label: neither `for` their id nor wrapped in one. */
function unlabelled(html: string): string[] {
  const found: string[] = [];
  for (const m of html.matchAll(/<input\b[^>]*>/g)) {
    const tag = m[0];
    if (/type="(hidden|submit)"/.test(tag)) continue;
    const id = /\sid="([^"]+)"/.exec(tag)?.[1];
    if (id && html.includes(`<label for="${id}"`)) continue;
    const before = html.slice(0, m.index);
    if (before.lastIndexOf('<label') > before.lastIndexOf('</label>')) continue;
    found.push(tag);
  }
  return found;
}

t.test('every page: lang, a skip link to main, one h1, no skipped heading level', async (t) => {
  const { deps, browser } = await signedInApp({}, 'admin');
  const e = deps.seed({ fullName: 'Ada', badges: ['apple'], withPhoto: true });
  const pages = [
    '/',
    `/employee/${e.id}`,
    '/add',
    `/edit/${e.id}`,
    `/delete/${e.id}`,
    '/info',
    '/docs',
    '/employee/7b0c6d1e-0000-4000-8000-000000000000',
    '/auth/signed-out',
  ];
  for (const path of pages) {
    const html = await (await browser.get(path)).text();
    t.match(html, '<html lang="en">', `${path}: lang`);
    t.match(
      html,
      /<body><a class="skip-link" href="#main">Skip to content<\/a>/,
      `${path}: skip link first`,
    );
    t.match(html, '<main id="main"', `${path}: its target`);
    const levels = headings(html);
    t.equal(levels.filter((level) => level === 1).length, 1, `${path}: one h1`);
    t.equal(levels[0], 1, `${path}: the h1 comes first`);
    const skips = levels.filter((level, i) => i > 0 && level > (levels[i - 1] ?? 0) + 1);
    t.same(skips, [], `${path}: no heading skips a level (${levels.join(',')})`);
    t.same(unlabelled(html), [], `${path}: every input has a label`);
    t.notMatch(html, /<img(?![^>]*\salt=)[^>]*>/, `${path}: every image has alt`);
  }
  const docs = await (await browser.get('/docs')).text();
  t.notMatch(docs, /<pre(?! tabindex="0")/, 'a scrolling schema box can take keyboard focus');
  deps.employees.items.clear();
  t.same(headings(await (await browser.get('/')).text()), [1, 2], 'empty list: h1 then h2');
});

t.test('the directory table: caption, column headers, decorative thumbnails', async (t) => {
  const { deps, browser } = await signedInApp({}, 'editor');
  deps.seed({ fullName: 'Ada', badges: ['coffee'], withPhoto: true });
  const html = await (await browser.get('/')).text();
  t.match(html, /<table class="directory"><caption>[^<]+<\/caption><thead><tr>/);
  t.equal(html.match(/<th scope="col">/g)?.length, 3, 'Photo, Employee, Actions');
  t.match(html, /<img width="50" [^>]*alt=""\/>/, 'the name is beside it: decorative');
  t.match(html, '<i class="fa fa-coffee" title="Coffee Snob" role="img" aria-label="Coffee Snob">');
  const viewer = await signedInApp({}, 'viewer');
  viewer.deps.seed();
  const read = await (await viewer.browser.get('/')).text();
  t.equal(read.match(/<th scope="col">/g)?.length, 2, 'no Actions column without actions');
});

t.test('a badge beside its written label is decoration, not said twice', async (t) => {
  const { deps, browser } = await signedInApp({}, 'editor');
  const e = deps.seed({ badges: ['coffee'] });
  for (const path of [`/employee/${e.id}`, '/add']) {
    const html = await (await browser.get(path)).text();
    t.match(html, '<i class="fa fa-coffee" aria-hidden="true">', `${path}: hidden icon`);
    t.notMatch(html, 'aria-label="Coffee Snob"', `${path}: the label is the text beside it`);
  }
});

t.test('hints and errors are tied to their inputs', async (t) => {
  const { browser } = await signedInApp({}, 'editor');
  const add = await (await browser.get('/add')).text();
  t.match(add, /<input id="field-photo"[^>]* aria-describedby="field-photo-hint"/);
  t.match(add, '<p class="hint" id="field-photo-hint">');
  t.notMatch(add, 'aria-invalid', 'nothing is invalid yet');
  const res = await browser.post(
    '/save',
    {
      full_name: '',
      location: 'x'.repeat(101),
      job_title: 'ok',
      badges: 'nope',
      photo: new Blob(['not an image'], { type: 'image/png' }),
    },
    { multipart: true },
  );
  t.equal(res.status, 400);
  const html = await res.text();
  for (const [field, described] of [
    ['full_name', 'field-full_name-error'],
    ['location', 'field-location-error'],
    ['photo', 'field-photo-hint field-photo-error'],
  ] as const) {
    const input = new RegExp(`<input id="field-${field}"[^>]*>`).exec(html)?.[0] ?? '';
    t.match(input, 'aria-invalid="true"', `${field}: invalid`);
    t.match(input, `aria-describedby="${described}"`, `${field}: described by its error`);
    for (const id of described.split(' ')) t.match(html, `id="${id}"`, `${id} exists`);
  }
  t.match(html, /<fieldset id="field-badges" [^>]*aria-describedby="field-badges-error"/);
  t.match(html, '<p class="error" id="field-badges-error">');
  t.match(html, /<li><a href="#field-full_name">[^<]+<\/a><\/li>/, 'the summary leads to fields');
});
