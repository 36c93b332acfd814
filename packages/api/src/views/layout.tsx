import type { Child } from 'hono/jsx';
import { CsrfField } from './hidden-fields.js';
import { useCan, usePage } from './page-context.js';

export interface LayoutProps {
  readonly title: string;
  readonly flash?: string | undefined;
  /** Buttons beside the heading (Add, Edit, Home). */
  readonly actions?: Child;
  readonly children?: Child;
}

const SITE_NAME = 'Employee Directory';

/** The frame of every page: self-contained CSS, no scripts, the flash message once. */
export function Layout(props: LayoutProps) {
  const { user, csrfToken } = usePage();
  const isAdmin = useCan('admin');
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title === SITE_NAME ? SITE_NAME : `${props.title} · ${SITE_NAME}`}</title>
        <link rel="stylesheet" href="/static/app.css" />
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="site">
          <a class="brand" href="/">
            Employee Directory
          </a>
          <nav aria-label="Main">
            <a href="/">Home</a>
            {isAdmin ? <a href="/info">Info</a> : null}
            <a href="/docs">API</a>
          </nav>
          {user ? (
            <div class="user">
              <span class="who">
                Signed in as <strong>{user.displayName}</strong> ({user.role ?? 'no role'})
              </span>
              {csrfToken ? (
                <form method="post" action="/auth/logout" class="inline">
                  <CsrfField token={csrfToken} />
                  <button type="submit" class="btn">
                    Sign out
                  </button>
                </form>
              ) : null}
            </div>
          ) : null}
        </header>
        <main id="main" tabindex={-1}>
          {props.flash ? (
            <p class="flash" role="status">
              {props.flash}
            </p>
          ) : null}
          <div class="page-head">
            <h1>{props.title}</h1>
            <div class="actions">{props.actions}</div>
          </div>
          {props.children}
        </main>
      </body>
    </html>
  );
}
