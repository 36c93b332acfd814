import type { Role } from '../auth/identity.js';
import { BODY_LIMITS } from '../middleware/body-limit.js';
import { PHOTO_TOO_LARGE } from '../photos/photo-processor.js';

/** The largest body a route reads, and what a client is told when it sends more. */
export interface BodyLimit {
  readonly maxBytes: number;
  readonly message: string;
}

const NO_BODY: BodyLimit = { maxBytes: 0, message: 'This request takes no body.' };
const FORM: BodyLimit = { maxBytes: BODY_LIMITS.form, message: 'The form is too large.' };
const JSON_BODY: BodyLimit = {
  maxBytes: BODY_LIMITS.json,
  message: 'The JSON body must be at most 64 KB.',
};
const UPLOAD: BodyLimit = { maxBytes: BODY_LIMITS.upload, message: PHOTO_TOO_LARGE };
// 5 MB of CSV (about 20,000 rows), plus room for the upload form's multipart framing.
const CSV_UPLOAD: BodyLimit = {
  maxBytes: 5 * 1024 * 1024 + 16 * 1024,
  message: 'The CSV file must be at most 5 MB.',
};

export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteRule {
  readonly method: RouteMethod;
  /** Hono's pattern, exactly as the route is registered. */
  readonly path: string;
  /** Who may call it: anyone, or a signed-in user with at least this role. */
  readonly access: 'public' | Role;
  /**
   * page: a browser page (session cookie; no session → redirect to sign-in; CSRF token; flash).
   * api: JSON (bearer token or session; no credentials → 401 with WWW-Authenticate).
   */
  readonly surface: 'page' | 'api';
  readonly body: BodyLimit;
  /**
   * Pages: the form must carry the CSRF token and come from our origin. API: a call authenticated
   * by the session cookie must come from our origin (bearer calls carry no ambient credential).
   */
  readonly csrf: boolean;
}

const page = (
  method: RouteMethod,
  path: string,
  access: RouteRule['access'],
  body = NO_BODY,
): RouteRule => ({ method, path, access, surface: 'page', body, csrf: method !== 'GET' });

const api = (
  method: RouteMethod,
  path: string,
  access: RouteRule['access'],
  body = NO_BODY,
): RouteRule => ({ method, path, access, surface: 'api', body, csrf: method !== 'GET' });

/**
 * Every route of the app, and the only place that says who may call it. A request that matches
 * no rule is refused before any handler runs; a test checks this table against app.routes.
 */
export const ROUTE_POLICY: readonly RouteRule[] = [
  api('GET', '/healthz', 'public'),
  api('GET', '/readyz', 'public'),
  page('GET', '/auth/login', 'public'),
  page('GET', '/auth/callback', 'public'),
  page('POST', '/auth/logout', 'public', FORM),
  page('GET', '/auth/signed-out', 'public'),
  // The stylesheet holds no data, and the sign-in and error pages need it before anyone signs in.
  page('GET', '/static/app.css', 'public'),

  page('GET', '/', 'viewer'),
  page('GET', '/employee/:id', 'viewer'),
  page('GET', '/everyone', 'viewer'),
  page('GET', '/docs', 'viewer'),
  api('GET', '/openapi.json', 'viewer'),
  api('GET', '/api/employees', 'viewer'),
  api('GET', '/api/employees/:id', 'viewer'),
  api('GET', '/api/employees.csv', 'viewer'),
  api('GET', '/api/employees/:id/photo', 'viewer'),

  page('GET', '/add', 'editor'),
  page('GET', '/edit/:id', 'editor'),
  page('POST', '/save', 'editor', UPLOAD),
  page('GET', '/delete/:id', 'editor'),
  page('POST', '/delete/:id', 'editor', FORM),
  api('POST', '/api/employees', 'editor', JSON_BODY),
  api('PATCH', '/api/employees/:id', 'editor', JSON_BODY),
  api('DELETE', '/api/employees/:id', 'editor'),
  api('PUT', '/api/employees/:id/photo', 'editor', UPLOAD),
  api('DELETE', '/api/employees/:id/photo', 'editor'),
  // The import is a POST of the export's own representation (the policy's router cannot hold
  // /api/employees/import beside /api/employees/:id).
  api('POST', '/api/employees.csv', 'editor', CSV_UPLOAD),
  page('GET', '/import', 'editor'),
  page('POST', '/import', 'editor', CSV_UPLOAD),

  page('GET', '/info', 'admin'),
  page('POST', '/info/stress', 'admin', FORM),
];
