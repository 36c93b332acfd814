import type { Employee } from '@empdir/shared';
import { type Context, Hono } from 'hono';
import type { AppDeps } from '../app-deps.js';
import type { AppEnv } from '../app-env.js';
import type { EmployeeService } from '../employee-service.js';
import { BadRequestError, VersionConflictError } from '../errors.js';
import { readForm } from '../middleware/csrf-token.js';
import { setFlash } from '../middleware/flash.js';
import { DELETE_CONFLICT, DeletePage } from '../views/delete-page.js';
import { EMPTY_FORM, EmployeeForm, type EmployeeFormValues } from '../views/employee-form.js';
import { EmployeeView } from '../views/employee-view.js';
import { renderPage } from '../views/render.js';
import { photoFieldError, readEmployeeForm } from './employee-form-input.js';

/** The add/edit form, the read-only view, save, and delete behind a confirmation page. */
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

  const showDelete = (
    c: Context<AppEnv>,
    employee: Employee,
    status: 200 | 409 = 200,
    error?: string,
  ) =>
    renderPage(
      c,
      <DeletePage
        employee={employee}
        csrfToken={c.var.csrfToken}
        flash={c.var.flash}
        error={error}
      />,
      status,
    );

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
          flash={c.var.flash}
        />,
      );
    })
    .post('/save', async (c) => {
      const form = await readEmployeeForm(await readForm(c));
      const { values, errors, input, photo, removePhoto } = form;
      if (Object.keys(errors).length > 0 || !input) return showForm(c, 400, values, errors);
      let saved: Employee;
      try {
        saved = values.employeeId
          ? await service.update(values.employeeId, input, {
              expectedVersion: values.version,
              photo,
              removePhoto,
            })
          : await service.create(input, photo);
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
      // The item page reads the item itself (consistently); the list's index may not show it yet.
      return c.redirect(`/employee/${saved.id}`, 303);
    })
    .get('/delete/:id', async (c) => showDelete(c, await service.get(c.req.param('id'))))
    .post('/delete/:id', async (c) => {
      const id = c.req.param('id');
      const version = (await readForm(c)).version;
      if (typeof version !== 'string' || !/^[1-9]\d{0,9}$/.test(version)) {
        throw new BadRequestError('This delete button is out of date; reload the page.');
      }
      try {
        await service.remove(id, { expectedVersion: Number(version) });
      } catch (error) {
        if (!(error instanceof VersionConflictError)) throw error;
        // Ask again about what is stored now, rather than delete what the user has not seen.
        return showDelete(c, await service.get(id), 409, DELETE_CONFLICT);
      }
      await setFlash(c, 'deleted', cookies);
      return c.redirect('/', 303);
    });
}
