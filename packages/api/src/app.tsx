import { errorEnvelope } from '@empdir/shared';
import { type Context, Hono } from 'hono';
import { requestId } from 'hono/request-id';
import type { AppDeps } from './app-deps.js';
import type { AppEnv } from './app-env.js';
import { SessionStore } from './auth/session.js';
import type { OidcSettings } from './config.js';
import { EmployeeService } from './employee-service.js';
import {
  describeError,
  MethodNotAllowedError,
  NotFoundError,
  PreconditionFailedError,
  UnauthorizedError,
  VersionConflictError,
} from './errors.js';
import { requestLog } from './middleware/request-log.js';
import { securityHeaders } from './middleware/security-headers.js';
import { trustedHost } from './middleware/trusted-host.js';
import { etagFor } from './routes/api-support.js';
import { authRoutes } from './routes/auth.js';
import { csvRoutes } from './routes/csv.js';
import { directoryRoutes } from './routes/directory.js';
import { docsRoutes } from './routes/docs.js';
import { employeePageRoutes } from './routes/employee-pages.js';
import { employeesApiRoutes } from './routes/employees-api.js';
import { everyoneRoutes } from './routes/everyone.js';
import { healthRoutes } from './routes/health.js';
import { infoRoutes } from './routes/info.js';
import { photosApiRoutes } from './routes/photos-api.js';
import { enforceRoutePolicy } from './security/enforce-policy.js';
import { ErrorPage } from './views/error-page.js';
import { renderPage } from './views/render.js';

function wantsJson(c: Context): boolean {
  const path = c.req.path;
  if (path.startsWith('/api/') || path === '/api' || path === '/openapi.json') return true;
  if (path === '/healthz' || path === '/readyz') return true;
  const accept = c.req.header('accept') ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

/** Where sign-out may send the browser: the issuer and, for Cognito, its hosted UI's /logout. */
function signOutOrigins(oidc: OidcSettings): string[] {
  const urls = [oidc.issuer, oidc.endSessionUrl].filter((url): url is string => Boolean(url));
  return [...new Set(urls.map((url) => new URL(url).origin))];
}

/** The whole service as one Hono app: the same for the Node server and for Lambda. */
export function createApp(deps: AppDeps) {
  const service = new EmployeeService(deps);
  const sessions = new SessionStore({
    secret: deps.config.sessionSecret,
    cookieSecure: deps.config.cookieSecure,
    ...deps.config.session,
    now: deps.now,
  });
  const app = new Hono<AppEnv>();

  app.use(
    requestId(),
    requestLog(deps.logger, deps.now),
    securityHeaders(deps.photos.imageOrigins, signOutOrigins(deps.config.oidc)),
    // Before any route: a rebound DNS name must not reach a handler, not even a public one.
    trustedHost(deps.config.trustedHosts),
    // Who may call what, body limits and CSRF: one table, checked before any handler or body read.
    enforceRoutePolicy({ config: deps.config, oidc: deps.oidc, sessions, now: deps.now }),
  );

  app
    .route('/', healthRoutes(deps))
    .route('/', authRoutes(deps, sessions))
    .route('/', docsRoutes())
    .route('/api', employeesApiRoutes(service))
    .route('/api', photosApiRoutes(service))
    .route('/', directoryRoutes(deps, service))
    .route('/', everyoneRoutes(service))
    .route('/', csvRoutes(deps, service))
    .route('/', employeePageRoutes(deps, service))
    .route('/', infoRoutes(deps));

  function respond(thrown: unknown, c: Context<AppEnv>) {
    // The same stale version is a 409 for a form's hidden field, a 412 for the If-Match header.
    const error =
      thrown instanceof VersionConflictError && c.req.header('if-match')
        ? new PreconditionFailedError(thrown.currentVersion)
        : thrown;
    const requestId = c.var.requestId ?? 'unknown';
    const { status, code, message, issues } = describeError(error);
    const log = c.var.log ?? deps.logger;
    // Only 5xx carry the cause (AWS's own text included) and only into the log.
    if (status >= 500) log.error({ err: error, requestId, code }, 'request failed');
    else log.debug({ requestId, code, status }, 'request refused');
    if (error instanceof MethodNotAllowedError) c.header('Allow', error.allow.join(', '));
    if (
      (error instanceof VersionConflictError || error instanceof PreconditionFailedError) &&
      error.currentVersion !== undefined
    ) {
      c.header('ETag', etagFor(error.currentVersion));
    }
    if (error instanceof UnauthorizedError) c.header('WWW-Authenticate', error.challenge);
    if (status === 503) c.header('Retry-After', '5');
    if (wantsJson(c)) return c.json(errorEnvelope(code, message, requestId, issues), status);
    return renderPage(
      c,
      <ErrorPage status={status} message={message} requestId={requestId} />,
      status,
    );
  }

  app.notFound((c) =>
    respond(
      new NotFoundError(c.req.path.startsWith('/api/') ? 'No such resource.' : 'No such page.'),
      c,
    ),
  );
  app.onError((error, c) => respond(error, c));
  return app;
}

export type App = ReturnType<typeof createApp>;
