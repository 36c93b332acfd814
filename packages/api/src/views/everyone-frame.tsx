import type { Context } from 'hono';
import { html, raw } from 'hono/html';
import { jsx } from 'hono/jsx';
import type { AppEnv } from '../app-env.js';
import { BADGE_SPRITE } from '../everyone/row-html.js';
import { Layout } from './layout.js';
import { PageContext } from './page-context.js';

const ROWS_GO_HERE = '<!--rows-->';

/**
 * The page around /everyone's rows, split where the rows go: the head is sent before the first
 * row, the tail after the last.
 */
export async function everyoneFrame(
  c: Context<AppEnv>,
  count: { readonly empty: boolean },
): Promise<{ head: string; tail: string }> {
  const value = { user: c.var.user, csrfToken: c.var.csrfToken };
  const page = (
    <Layout
      title="Everyone"
      actions={
        <a class="btn" href="/">
          Page by page
        </a>
      }
    >
      {count.empty ? (
        <h4 class="empty">Empty Directory</h4>
      ) : (
        <>
          {raw(BADGE_SPRITE)}
          <table class="directory">
            <tbody>{raw(ROWS_GO_HERE)}</tbody>
          </table>
        </>
      )}
    </Layout>
  );
  const text = String(await html`<!doctype html>${jsx(PageContext.Provider, { value }, page)}`);
  const at = text.indexOf(ROWS_GO_HERE);
  if (at < 0) return { head: text, tail: '' };
  return { head: text.slice(0, at), tail: text.slice(at + ROWS_GO_HERE.length) };
}
