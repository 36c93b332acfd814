import type { Context } from 'hono';
import { html } from 'hono/html';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Sends a full HTML page; pages carry per-browser tokens and fresh photo URLs, so never cached. */
export function renderPage(c: Context, page: JSX.Element, status: ContentfulStatusCode = 200) {
  c.header('Cache-Control', 'no-store');
  return c.html(html`<!doctype html>${page}`, status);
}
