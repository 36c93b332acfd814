import type { Employee } from '@empdir/shared';
import { type Context, Hono } from 'hono';
import type { AppDeps } from '../app-deps.js';
import type { AppEnv } from '../app-env.js';
import type { EmployeeService } from '../employee-service.js';
import { BadRequestError, VersionConflictError } from '../errors.js';
import { readForm } from '../middleware/csrf-token.js';
import { setFlash } from '../middleware/flash.js';
import { EMPTY_FORM, EmployeeForm, type EmployeeFormValues } from '../views/employee-form.js';
import { EmployeeView } from '../views/employee-view.js';
import { renderPage } from '../views/render.js';
import { photoFieldError, readEmployeeForm } from './employee-form-input.js';

/** The add/edit form, the read-only view, save and delete: the original's pages. */
export function employeePageRoutes(deps: AppDeps, service: EmployeeService) {
  const cookies = { secret: deps.config.sessionSecret, cookieSecure: deps.config.cookieSecure };

  async function showForm(
    c: Context<AppEnv>,
    status: 200 | 400 | 409,
    values: EmployeeFormValues,
    errors: Record<string, string> = {},
  ) {
    let photoUrl: string | undefined;
    if (values.employeeId) {
      // The current photo is a courtesy on an error page; its absence must not hide the form.
      const stored = await service.get(values.employeeId).catch(() => undefined);
      photoUrl = stored ? await service.photoUrl(stored) : undefined;
    }
    return renderPage(
      c,
      <EmployeeForm
        values={values}
        errors={errors}
        photoUrl={photoUrl}
        csrfToken={c.var.csrfToken}
        flash={c.var.flash}
      />,
      status,
    );
  }

  const formValues = (employee: Employee): EmployeeFormValues => ({
    employeeId: employee.id,
    version: employee.version,
    fullName: employee.fullName,
    location: employee.location,
    jobTitle: employee.jobTitle,
    badges: employee.badges,
  });

  return new Hono<AppEnv>()
    .get('/add', (c) => showForm(c, 200, EMPTY_FORM))
    .get('/edit/:id', async (c) =>
      showForm(c, 200, formValues(await service.get(c.req.param('id')))),
    )
    .get('/employee/:id', async (c) => {
      const employee = await service.get(c.req.param('id'));
      return renderPage(
        c,
        <EmployeeView
          employee={employee}
          photoUrl={await service.photoUrl(employee)}
          csrfToken={c.var.csrfToken}
          flash={c.var.flash}
        />,
      );
    })
    .post('/save', async (c) => {
      const form = await readEmployeeForm(await readForm(c));
      const { values, errors, input, photo } = form;
      if (Object.keys(errors).length > 0 || !input) return showForm(c, 400, values, errors);
      try {
        if (values.employeeId) {
          await service.update(values.employeeId, input, {
            expectedVersion: values.version,
            photo,
          });
        } else {
          await service.create(input, photo);
        }
      } catch (error) {
        if (error instanceof VersionConflictError) {
          // Keep what the user typed; saving again is now a deliberate overwrite of the newer version.
          return showForm(
            c,
            409,
            { ...values, version: error.currentVersion },
            { form: error.message },
          );
        }
        const photoError = photoFieldError(error);
        if (photoError) return showForm(c, 400, values, { photo: photoError });
        throw error;
      }
      await setFlash(c, 'saved', cookies);
      return c.redirect('/', 303);
    })
    .post('/delete/:id', async (c) => {
      const version = (await readForm(c)).version;
      if (typeof version !== 'string' || !/^[1-9]\d{0,9}$/.test(version)) {
        throw new BadRequestError('This delete button is out of date; reload the page.');
      }
      await service.remove(c.req.param('id'), { expectedVersion: Number(version) });
      await setFlash(c, 'deleted', cookies);
      return c.redirect('/', 303);
    });
}
