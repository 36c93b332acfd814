import { Hono } from 'hono';
import { getSignedCookie, setSignedCookie } from 'hono/cookie';
import t from 'tap';
import { readSignedCookie, setSignedCookieSync } from './signed-cookie.js';

const secret = 's'.repeat(40);

t.test('reads what hono signs, and hono reads what it signs', async (t) => {
  const app = new Hono()
    .get('/hono-set', async (c) => {
      await setSignedCookie(c, 'k', 'value-1', secret, { path: '/' });
      return c.text('ok');
    })
    .get('/ours-set', (c) => {
      setSignedCookieSync(c, 'k', 'value-1', secret, { path: '/' });
      return c.text('ok');
    })
    .get('/read', async (c) =>
      c.json({
        ours: readSignedCookie(c, secret, 'k'),
        hono: await getSignedCookie(c, secret, 'k'),
      }),
    );
  const fromHono = (await app.request('/hono-set')).headers.get('set-cookie');
  const fromUs = (await app.request('/ours-set')).headers.get('set-cookie');
  t.equal(fromUs, fromHono, 'the same Set-Cookie header');
  const pair = (fromUs ?? '').split(';')[0] ?? '';
  const read = async (cookie: string) =>
    (await app.request('/read', { headers: { cookie } })).json();
  t.same(await read(pair), { ours: 'value-1', hono: 'value-1' });
  const tampered = pair.replace('value-1', 'value-2');
  t.same(await read(tampered), { ours: false, hono: false }, 'a changed value fails its signature');
  t.same(await read('k=value-1'), {}, 'unsigned: absent');
  t.same(await read('other=1'), {}, 'no such cookie: absent');
});
