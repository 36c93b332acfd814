import { Hono } from 'hono';
import type { AppDeps } from '../app-deps.js';
import type { AppEnv } from '../app-env.js';
import { displayNameOf, roleFromClaims } from '../auth/identity.js';
import type { SessionStore } from '../auth/session.js';
import { publicOrigin, SignInFlow } from '../auth/sign-in-flow.js';
import { renderPage } from '../views/render.js';
import { SignedOutPage } from '../views/signed-out-page.js';

/** Sign-in (OpenID Connect code flow with PKCE), its callback, sign-out and the signed-out page. */
export function authRoutes(deps: AppDeps, sessions: SessionStore) {
  const flow = new SignInFlow(deps.config, deps.oidc, deps.now);
  const { oidc } = deps.config;
  return new Hono<AppEnv>()
    .get('/auth/login', async (c) => {
      const url = await flow.begin(c, c.req.query('returnTo') ?? '/');
      c.header('Cache-Control', 'no-store');
      return c.redirect(url.href, 302);
    })
    .get('/auth/callback', async (c) => {
      const { claims, idToken, returnTo } = await flow.complete(c);
      await sessions.start(c, {
        sub: String(claims.sub),
        name: displayNameOf(claims),
        role: roleFromClaims(claims, oidc.groupsClaim),
        idToken,
      });
      c.header('Cache-Control', 'no-store');
      return c.redirect(returnTo, 302);
    })
    .post('/auth/logout', async (c) => {
      const session = c.var.session;
      sessions.end(c);
      const signedOut = oidc.postLogoutRedirectUri ?? `${publicOrigin(c)}/auth/signed-out`;
      // RP-initiated logout: the provider's session ends too, then it sends the browser back.
      const providerLogout = session
        ? await deps.oidc
            .endSessionUrl({ idToken: session.idToken, postLogoutRedirectUri: signedOut })
            .catch((error: unknown) => {
              c.var.log.warn({ err: error }, 'provider logout unavailable');
              return undefined;
            })
        : undefined;
      return c.redirect(providerLogout?.href ?? '/auth/signed-out', 303);
    })
    .get('/auth/signed-out', (c) => renderPage(c, <SignedOutPage />));
}
