import { createApp } from '../src/app.js';
import type { Role } from '../src/auth/identity.js';
import { FakeBrowser } from './fake-browser.js';
import { createTestDeps } from './fake-deps.js';
import { type FakeOidc, type FakeUser, userWithRole } from './fake-oidc.js';

type Fetcher = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

/** Signs `browser` in through the real /auth routes, the fake provider approving `who`. */
export async function signIn(
  browser: FakeBrowser,
  oidc: FakeOidc,
  who: Role | FakeUser | undefined,
): Promise<void> {
  const user = typeof who === 'object' ? who : userWithRole(who);
  const start = await browser.get('/auth/login?returnTo=%2F');
  const location = start.headers.get('location');
  if (start.status !== 302 || !location) throw new Error(`/auth/login answered ${start.status}`);
  const callback = new URL(oidc.approve(location, user));
  const done = await browser.get(`${callback.pathname}${callback.search}`);
  if (done.status !== 302) throw new Error(`/auth/callback answered ${done.status}`);
}

/** An access token of a user (groups claim) or, with `scope`, of a machine client. */
export function accessToken(
  oidc: FakeOidc,
  nowMs: number,
  claims: { role?: Role; scope?: string } & Record<string, unknown> = { role: 'admin' },
): Promise<string> {
  const { role, ...rest } = claims;
  return oidc.accessToken(
    { sub: `api-${role ?? 'client'}`, ...(role ? { 'cognito:groups': [role] } : {}), ...rest },
    { nowMs },
  );
}

/** `app` with `Authorization: Bearer <token>` added to every request that has none. */
export function withBearer(app: Fetcher, token: string): Fetcher {
  return {
    request(path, init = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
      return app.request(path, { ...init, headers });
    },
  };
}

/**
 * A fresh app and its fakes, with a browser signed in as `role` and `app` sending that role's
 * bearer token; `raw` is the app without credentials.
 */
export async function signedInApp(env: Record<string, string> = {}, role: Role = 'admin') {
  const deps = createTestDeps(env);
  const raw = createApp(deps);
  const browser = new FakeBrowser(raw);
  await signIn(browser, deps.oidc, role);
  const token = await accessToken(deps.oidc, deps.now(), { role });
  return { deps, raw, app: withBearer(raw, token), browser, token };
}
