import {
  EMPLOYEE_PAGE_LIMIT,
  employeeCreateSchema,
  employeeUpdateSchema,
  issuesFromZod,
} from '@empdir/shared';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../app-env.js';
import type { EmployeeService } from '../employee-service.js';
import { ValidationError } from '../errors.js';
import { etagFor, readIfMatch, readJson, toEmployeeView, withPhotoUrl } from './api-support.js';
import { criteriaOf, searchQueryFields } from './search-query.js';

export const listQuerySchema = z.object({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, { error: 'limit must be a whole number' })
    .transform(Number)
    .pipe(z.int().min(1).max(EMPLOYEE_PAGE_LIMIT.max))
    .optional()
    .describe(`Page size, 1–${EMPLOYEE_PAGE_LIMIT.max}; default ${EMPLOYEE_PAGE_LIMIT.default}`),
  cursor: z
    .string()
    .min(1)
    .max(2048)
    .optional()
    .describe('nextCursor from the previous page; opaque'),
  ...searchQueryFields,
});

/** The JSON API for employees: sorted, paginated list and search; create; read; update; delete. */
export function employeesApiRoutes(service: EmployeeService) {
  return new Hono<AppEnv>()
    .get('/employees', async (c) => {
      const query = listQuerySchema.safeParse(c.req.query());
      if (!query.success) throw new ValidationError(issuesFromZod(query.error));
      const { limit = EMPLOYEE_PAGE_LIMIT.default, cursor } = query.data;
      const criteria = criteriaOf(query.data);
      const page = criteria
        ? await service.search({ ...criteria, limit, cursor })
        : await service.list({ limit, cursor });
      const urls = await service.photoUrls(page.items);
      const items = page.items.map((item) => withPhotoUrl(item, urls));
      c.header('Cache-Control', 'no-store');
      return c.json(page.nextCursor ? { items, nextCursor: page.nextCursor } : { items });
    })
    .post('/employees', async (c) => {
      const employee = await service.create(await readJson(c, employeeCreateSchema));
      c.header('Location', `/api/employees/${employee.id}`);
      c.header('ETag', etagFor(employee.version));
      return c.json(await toEmployeeView(service, employee), 201);
    })
    .get('/employees/:id', async (c) => {
      const employee = await service.get(c.req.param('id'));
      const etag = etagFor(employee.version);
      c.header('ETag', etag);
      c.header('Cache-Control', 'no-cache');
      if (
        c.req
          .header('if-none-match')
          ?.split(',')
          .some((tag) => tag.trim() === etag)
      ) {
        return c.body(null, 304);
      }
      return c.json(await toEmployeeView(service, employee));
    })
    .patch('/employees/:id', async (c) => {
      const expectedVersion = readIfMatch(c, true);
      const changes = await readJson(c, employeeUpdateSchema);
      const employee = await service.update(c.req.param('id'), changes, { expectedVersion });
      c.header('ETag', etagFor(employee.version));
      return c.json(await toEmployeeView(service, employee));
    })
    .delete('/employees/:id', async (c) => {
      await service.remove(c.req.param('id'), { expectedVersion: readIfMatch(c, false) });
      return c.body(null, 204);
    });
}
