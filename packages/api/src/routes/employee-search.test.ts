import { errorEnvelopeSchema } from '@empdir/shared';
import t from 'tap';
import { signedInApp } from '../../test-support/sign-in.js';

type Page = { items: { fullName: string }[]; nextCursor?: string };

async function setup() {
  const { deps, app, browser } = await signedInApp({ PAGE_SIZE: '2' }, 'viewer');
  deps.seed({ fullName: 'Zoë Ångström', location: 'Malmö', badges: ['apple'] });
  deps.seed({ fullName: 'Ana de la Cruz', location: 'São Paulo', badges: ['apple', 'coffee'] });
  deps.seed({ fullName: 'anabela Souza', location: 'Sao Paulo', badges: ['coffee'] });
  deps.seed({ fullName: 'Bruno Anand', location: 'Lisbon' });
  deps.seed({ fullName: 'Carla Mendes', location: 'São Paulo' });
  const search = async (query: string) => {
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const next = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const res = await app.request(`/api/employees?limit=1&${query}${next}`);
      t.equal(res.status, 200, query);
      const page = (await res.json()) as Page;
      names.push(...page.items.map((i) => i.fullName));
      cursor = page.nextCursor;
    } while (cursor);
    return names;
  };
  return { deps, app, browser, search };
}

t.test('q matches the start of the name or of any word, ignoring case and accents', async (t) => {
  const { search, deps } = await setup();
  t.same(await search('q=ana'), ['Ana de la Cruz', 'anabela Souza', 'Bruno Anand']);
  t.same(await search('q=ZOE'), ['Zoë Ångström']);
  t.same(await search('q=angstr'), ['Zoë Ångström']);
  t.same(await search('q=de%20la%20c'), ['Ana de la Cruz']);
  t.same(await search('q=nab'), [], 'inside a word is no match');
  t.notOk(deps.employees.calls.includes('list'), 'a search never lists everyone');
});

t.test('badge and location filter, alone and together with q', async (t) => {
  const { search } = await setup();
  t.same(await search('badge=coffee'), ['Ana de la Cruz', 'anabela Souza']);
  t.same(await search('location=sao%20paulo'), ['Ana de la Cruz', 'anabela Souza', 'Carla Mendes']);
  t.same(await search('q=a&location=S%C3%A3o%20Paulo&badge=apple'), ['Ana de la Cruz']);
});

t.test('search parameters are validated with stable codes', async (t) => {
  const { app } = await setup();
  for (const [query, path] of [
    ['q=', 'q'],
    [`q=${'a'.repeat(101)}`, 'q'],
    ['q=%27--', 'q'],
    ['badge=unicorn', 'badge'],
    ['location=', 'location'],
  ] as const) {
    const res = await app.request(`/api/employees?${query}`);
    t.equal(res.status, 400, query);
    const body = errorEnvelopeSchema.parse(await res.json());
    t.equal(body.error.code, 'validation_failed');
    t.same(
      body.error.issues?.map((i) => i.path),
      [path],
    );
  }
});

t.test('the list page has a search form; results page with the search kept', async (t) => {
  const { browser } = await setup();
  const plain = await (await browser.get('/')).text();
  t.match(plain, '<form class="search" method="get" action="/">');
  t.match(plain, '<input type="search" name="q" value=""');
  const res = await browser.get('/?q=ana&badge=&location=');
  t.equal(res.status, 200, 'empty fields mean "any"');
  const html = await res.text();
  const names = [...html.matchAll(/<a href="\/employee\/[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]);
  t.same(names, ['Ana de la Cruz', 'anabela Souza']);
  const next = /<a rel="next" href="([^"]+)"/.exec(html)?.[1]?.replaceAll('&amp;', '&');
  t.match(next, /^\/\?q=ana&cursor=/);
  const second = await (await browser.get(next ?? '/')).text();
  t.match(second, 'Bruno Anand');
  t.match(second, '<a href="/?q=ana">First page</a>');
  t.match(await (await browser.get('/?q=xyz')).text(), 'No employees match.');
  t.equal((await browser.get('/?badge=unicorn')).status, 400);
});
