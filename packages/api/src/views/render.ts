import type { Context } from 'hono';
import { html } from 'hono/html';
import { jsx } from 'hono/jsx';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from '../app-env.js';
import { PageContext } from './page-context.js';

/** Sends a full HTML page; pages carry per-browser tokens and fresh photo URLs, so never cached. */
export function renderPage(
  c: Context<AppEnv>,
  page: JSX.Element,
  status: ContentfulStatusCode = 200,
) {
  c.header('Cache-Control', 'no-store');
  const value = { user: c.var.user, csrfToken: c.var.csrfToken };
  return c.html(html`<!doctype html>${jsx(PageContext.Provider, { value }, page)}`, status);
}
