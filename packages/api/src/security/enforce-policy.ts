import type { Context, MiddlewareHandler } from 'hono';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import type { AppEnv } from '../app-env.js';
import { BEARER_CHALLENGE, bearerToken, verifyAccessToken } from '../auth/access-token.js';
import { type Identity, roleAllows } from '../auth/identity.js';
import type { OidcPort } from '../auth/oidc-port.js';
import type { SessionStore } from '../auth/session.js';
import type { ApiConfig } from '../config.js';
import {
  CsrfRejectedError,
  ForbiddenError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
} from '../errors.js';
import { limitBody } from '../middleware/body-limit.js';
import { isSameOrigin } from '../middleware/csrf-origin.js';
import { ensureCsrfToken, verifyCsrfForm } from '../middleware/csrf-token.js';
import { flash } from '../middleware/flash.js';
import { ROUTE_POLICY, type RouteRule } from './route-policy.js';

/** The body size the headers announce; chunked counts as 1 (some body; its limit is counted as read). */
function declaredBodyBytes(c: Context): number {
  if (c.req.header('transfer-encoding')) return 1;
  const length = Number(c.req.header('content-length') ?? 0);
  return Number.isFinite(length) && length > 0 ? length : 0;
}

export interface PolicyDeps {
  readonly config: ApiConfig;
  readonly oidc: OidcPort;
  readonly sessions: SessionStore;
  readonly now: () => number;
}

/**
 * The one gate in front of every handler, driven by the route table: unknown routes are refused,
 * then who is calling, their role, the body limit and CSRF are checked, in that order, before any
 * body is read.
 */
export function enforceRoutePolicy(
  deps: PolicyDeps,
  rules: readonly RouteRule[] = ROUTE_POLICY,
): MiddlewareHandler<AppEnv> {
  const byRoute = new RegExpRouter<RouteRule>();
  const byPath = new RegExpRouter<RouteRule>();
  for (const rule of rules) {
    byRoute.add(rule.method, rule.path, rule);
    byPath.add('ALL', rule.path, rule);
  }
  const limits = new Map(
    rules.map((rule) => [rule, limitBody(rule.body.maxBytes, rule.body.message)]),
  );
  const cookies = { secret: deps.config.sessionSecret, cookieSecure: deps.config.cookieSecure };
  const showFlash = flash(cookies);
  const { oidc, config } = deps;
  const tokenRules = {
    audiences: config.oidc.audiences,
    groupsClaim: config.oidc.groupsClaim,
    now: deps.now,
  };

  async function identify(c: Context<AppEnv>, rule: RouteRule): Promise<Identity | undefined> {
    // Probes stay cheap: no token or cookie work on public API routes.
    if (rule.access === 'public' && rule.surface === 'api') return undefined;
    const header = c.req.header('authorization');
    // A page behind a proxy's Basic auth still uses the session; only the API insists on Bearer.
    const ignored = rule.surface === 'page' && !/^bearer /i.test(header ?? '');
    const token = ignored ? undefined : bearerToken(header);
    if (token) return verifyAccessToken(token, oidc, tokenRules);
    const session = await deps.sessions.read(c);
    c.set('session', session);
    if (!session) return undefined;
    return { subject: session.sub, displayName: session.name, role: session.role, via: 'session' };
  }

  function signInFirst(c: Context<AppEnv>, rule: RouteRule): Response {
    if (rule.surface === 'api') throw new UnauthorizedError(BEARER_CHALLENGE);
    const url = new URL(c.req.url);
    // A form post cannot be replayed after sign-in: come back to its page's home instead.
    const returnTo = c.req.method === 'GET' ? `${url.pathname}${url.search}` : '/';
    return c.redirect(
      `/auth/login?returnTo=${encodeURIComponent(returnTo)}`,
      c.req.method === 'GET' ? 302 : 303,
    );
  }

  return async function enforceRoutePolicy(c, next) {
    c.set('user', undefined);
    c.set('session', undefined);
    const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
    const path = c.req.path;
    let rule = byRoute.match(method, path)[0][0]?.[0];
    let otherMethods: string[] = [];
    if (!rule) {
      const samePath = byPath.match('ALL', path)[0].map(([r]) => r);
      if (samePath.length === 0) {
        throw new NotFoundError(path.startsWith('/api/') ? 'No such resource.' : 'No such page.');
      }
      // A known path with another method: 405, but only to callers allowed on the path at all.
      otherMethods = samePath.map((r) => r.method);
      rule = samePath[0] as RouteRule;
    }
    const user = await identify(c, rule);
    c.set('user', user);
    if (rule.access !== 'public' && !user) return signInFirst(c, rule);
    if (rule.surface === 'page') ensureCsrfToken(c, cookies);
    if (rule.access !== 'public' && !(user?.role && roleAllows(user.role, rule.access))) {
      throw new ForbiddenError(
        user?.role
          ? `This needs the ${rule.access} role; you are signed in as ${user.role}.`
          : 'Your account is in none of the directory groups (viewer, editor, admin).',
      );
    }
    if (otherMethods.length > 0) throw new MethodNotAllowedError(otherMethods);
    // A declared size is refused from the headers alone, on every method (a GET's body included).
    const declared = declaredBodyBytes(c);
    if (declared > rule.body.maxBytes) throw new PayloadTooLargeError(rule.body.message);
    const limit = limits.get(rule) as MiddlewareHandler;
    await limit(c, async () => {
      if (rule.csrf) {
        const fromBrowser = rule.surface === 'page' || user?.via === 'session';
        if (fromBrowser && !isSameOrigin(c, config.trustedOrigins)) throw new CsrfRejectedError();
        if (rule.surface === 'page') await verifyCsrfForm(c, cookies);
      }
      if (rule.surface === 'page') await showFlash(c, next);
      else await next();
    });
  };
}
