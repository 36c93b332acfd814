import { errorEnvelope } from '@empdir/shared';
import { type Context, Hono } from 'hono';
import { requestId } from 'hono/request-id';
import type { AppDeps } from './app-deps.js';
import type { AppEnv } from './app-env.js';
import { EmployeeService } from './employee-service.js';
import {
  describeError,
  MethodNotAllowedError,
  NotFoundError,
  VersionConflictError,
} from './errors.js';
import { BODY_LIMITS, limitBody } from './middleware/body-limit.js';
import { csrfOrigin } from './middleware/csrf-origin.js';
import { csrfToken } from './middleware/csrf-token.js';
import { flash } from './middleware/flash.js';
import { requestLog } from './middleware/request-log.js';
import { securityHeaders } from './middleware/security-headers.js';
import { PHOTO_TOO_LARGE } from './photos/photo-processor.js';
import { etagFor } from './routes/api-support.js';
import { directoryRoutes } from './routes/directory.js';
import { docsRoutes } from './routes/docs.js';
import { employeePageRoutes } from './routes/employee-pages.js';
import { employeesApiRoutes } from './routes/employees-api.js';
import { healthRoutes } from './routes/health.js';
import { infoRoutes } from './routes/info.js';
import { photosApiRoutes } from './routes/photos-api.js';
import { ErrorPage } from './views/error-page.js';
import { renderPage } from './views/render.js';

/** Every HTML page; each gets the CSRF origin check, the CSRF token and the flash message. */
const PAGE_PATHS = [
  '/',
  '/add',
  '/edit/:id',
  '/employee/:id',
  '/save',
  '/delete/:id',
  '/info',
  '/info/stress',
];

const FORM_TOO_LARGE = 'The form is too large.';
const JSON_TOO_LARGE = 'The JSON body must be at most 64 KB.';

function wantsJson(c: Context): boolean {
  const path = c.req.path;
  if (path.startsWith('/api/') || path === '/api' || path === '/openapi.json') return true;
  if (path === '/healthz' || path === '/readyz') return true;
  const accept = c.req.header('accept') ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

/** The whole service as one Hono app: the same for the Node server and for Lambda. */
export function createApp(deps: AppDeps) {
  const service = new EmployeeService(deps);
  const cookies = { secret: deps.config.sessionSecret, cookieSecure: deps.config.cookieSecure };
  const app = new Hono<AppEnv>();

  app.use(
    requestId(),
    requestLog(deps.logger, deps.now),
    securityHeaders(deps.photos.imageOrigins),
  );

  // Body limits come before anything reads a body.
  app.use('/save', limitBody(BODY_LIMITS.upload, PHOTO_TOO_LARGE));
  app.use('/delete/:id', limitBody(BODY_LIMITS.form, FORM_TOO_LARGE));
  app.use('/info/stress', limitBody(BODY_LIMITS.form, FORM_TOO_LARGE));
  app.use('/api/employees', limitBody(BODY_LIMITS.json, JSON_TOO_LARGE));
  app.use('/api/employees/:id', limitBody(BODY_LIMITS.json, JSON_TOO_LARGE));
  app.use('/api/employees/:id/photo', limitBody(BODY_LIMITS.upload, PHOTO_TOO_LARGE));

  for (const path of PAGE_PATHS) {
    app.use(path, csrfOrigin(deps.config.trustedOrigins), csrfToken(cookies), flash(cookies));
  }

  app
    .route('/', healthRoutes(deps))
    .route('/', docsRoutes())
    .route('/api', employeesApiRoutes(service))
    .route('/api', photosApiRoutes(service))
    .route('/', directoryRoutes(deps, service))
    .route('/', employeePageRoutes(deps, service))
    .route('/', infoRoutes(deps));

  function respond(error: unknown, c: Context<AppEnv>) {
    const requestId = c.var.requestId ?? 'unknown';
    const { status, code, message, issues } = describeError(error);
    const log = c.var.log ?? deps.logger;
    // Only 5xx carry the cause (AWS's own text included) and only into the log.
    if (status >= 500) log.error({ err: error, requestId, code }, 'request failed');
    else log.debug({ requestId, code, status }, 'request refused');
    if (error instanceof MethodNotAllowedError) c.header('Allow', error.allow.join(', '));
    if (error instanceof VersionConflictError && error.currentVersion !== undefined) {
      c.header('ETag', etagFor(error.currentVersion));
    }
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
