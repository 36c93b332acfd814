import { Hono } from 'hono';
import type { AppEnv } from '../app-env.js';
import { buildOpenApiDocument } from '../openapi/openapi-document.js';
import { DocsPage } from '../views/docs-page.js';
import { renderPage } from '../views/render.js';
import { APP_CSS } from '../views/styles.js';

/** /openapi.json, /docs and the stylesheet: static content, built once. */
export function docsRoutes(): Hono<AppEnv> {
  const doc = buildOpenApiDocument();
  return new Hono<AppEnv>()
    .get('/openapi.json', (c) => c.json(doc))
    .get('/docs', (c) => renderPage(c, <DocsPage doc={doc} />))
    .get('/static/app.css', (c) => {
      c.header('Content-Type', 'text/css; charset=utf-8');
      c.header('Cache-Control', 'public, max-age=3600');
      return c.body(APP_CSS);
    });
}
