// Signing in like a browser, with fetch: a cookie jar and redirects followed by hand, through the
// API's /auth/login, the provider's login form, and back to the API's /auth/callback.

/** Cookies by name for one host (loopback: every port shares them, as in a browser). */
export class CookieJar {
  /** @type {Map<string, string>} */
  cookies = new Map();

  header() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** @param {Response} res */
  remember(res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const expired = attributes.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(at + 1));
    }
  }
}

/**
 * One request with the jar's cookies; redirects are not followed.
 * @param {CookieJar} jar @param {string | URL} url @param {RequestInit} [init]
 */
export async function send(jar, url, init = {}) {
  const headers = new Headers(init.headers);
  if (jar.cookies.size > 0) headers.set('cookie', jar.header());
  const res = await fetch(url, { ...init, headers, redirect: 'manual' });
  jar.remember(res);
  return res;
}

/**
 * Follows redirects from `url`, filling in the provider's login form as `user` when it appears;
 * answers the first response that is neither a redirect nor the login form, and where it came from.
 * @param {CookieJar} jar @param {string} url
 * @param {{ username: string, password: string }} user
 */
export async function followSignIn(jar, url, user) {
  let current = new URL(url);
  /** @type {RequestInit} */
  let init = {};
  for (let hop = 0; hop < 20; hop++) {
    const res = await send(jar, current, init);
    init = {};
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      current = new URL(location, current);
      continue;
    }
    const html = res.headers.get('content-type')?.includes('text/html')
      ? await res.clone().text()
      : '';
    const action = /<form method="post" action="(\/interaction\/[^"]+\/login)"/.exec(html)?.[1];
    if (!action || res.status !== 200) return { res, url: current.href };
    current = new URL(action, current);
    init = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: user.username, password: user.password }),
    };
  }
  throw new Error('too many redirects while signing in');
}

/**
 * Signs `jar` in at the API at `apiUrl` as `user`; answers the page the API finally shows.
 * @param {string} apiUrl @param {{ username: string, password: string }} user
 * @param {CookieJar} [jar] @param {string} [returnTo]
 */
export async function signInThroughProvider(apiUrl, user, jar = new CookieJar(), returnTo = '/') {
  const result = await followSignIn(
    jar,
    `${apiUrl}/auth/login?returnTo=${encodeURIComponent(returnTo)}`,
    user,
  );
  return { ...result, jar };
}
