import { issuesFromZod } from '@empdir/shared';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps } from '../app-deps.js';
import type { AppEnv } from '../app-env.js';
import type { EmployeeService } from '../employee-service.js';
import { ValidationError } from '../errors.js';
import { ListPage } from '../views/list-page.js';
import { renderPage } from '../views/render.js';
import { criteriaOf, searchQueryFields } from './search-query.js';

const searchFormSchema = z.object(searchQueryFields);

/** GET /: one page of the directory (or of a search), sorted by name, with a Next link while more remain. */
export function directoryRoutes(deps: AppDeps, service: EmployeeService) {
  return new Hono<AppEnv>().get('/', async (c) => {
    const cursor = c.req.query('cursor') || undefined;
    // A form submitted with a field left empty means "any", not "nothing".
    const filled = Object.entries(c.req.query()).filter(
      ([key, value]) => value !== '' && key !== 'cursor',
    );
    const parsed = searchFormSchema.safeParse(Object.fromEntries(filled));
    if (!parsed.success) throw new ValidationError(issuesFromZod(parsed.error));
    const criteria = criteriaOf(parsed.data);
    const limit = deps.config.pageSize;
    const page = criteria
      ? await service.search({ ...criteria, limit, cursor })
      : await service.list({ limit, cursor });
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
        criteria={criteria}
      />,
    );
  });
}
