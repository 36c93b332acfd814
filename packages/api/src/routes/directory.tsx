import { Hono } from 'hono';
import type { AppDeps } from '../app-deps.js';
import type { AppEnv } from '../app-env.js';
import type { EmployeeService } from '../employee-service.js';
import { ListPage } from '../views/list-page.js';
import { renderPage } from '../views/render.js';

/** GET /: one page of the directory, sorted by name, with a Next link while more remain. */
export function directoryRoutes(deps: AppDeps, service: EmployeeService) {
  return new Hono<AppEnv>().get('/', async (c) => {
    const cursor = c.req.query('cursor') || undefined;
    const page = await service.list({ limit: deps.config.pageSize, cursor });
    const photoUrls = await service.photoUrls(page.items);
    return renderPage(
      c,
      <ListPage
        employees={page.items}
        photoUrls={photoUrls}
        nextCursor={page.nextCursor}
        isFirstPage={cursor === undefined}
        csrfToken={c.var.csrfToken}
        flash={c.var.flash}
      />,
    );
  });
}
