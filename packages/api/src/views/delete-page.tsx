import type { Employee } from '@empdir/shared';
import { CsrfField } from './hidden-fields.js';
import { Layout } from './layout.js';

export const DELETE_CONFLICT =
  'This employee was changed after you opened this page. Check the details and confirm again.';

/** The link that starts a delete: it opens the confirmation page, it never deletes by itself. */
export function DeleteLink(props: { id: string; name: string }) {
  return (
    <a class="btn danger" href={`/delete/${props.id}`} aria-label={`Delete ${props.name}`}>
      Delete
    </a>
  );
}

/** "Delete <name>?" with the version seen, so a delete of a since-changed employee is refused. */
export function DeletePage(props: {
  employee: Employee;
  csrfToken: string;
  flash: string | undefined;
  error: string | undefined;
}) {
  const { employee } = props;
  return (
    <Layout title={`Delete ${employee.fullName}?`} flash={props.flash}>
      {props.error ? (
        <p class="error-summary" role="alert">
          {props.error}
        </p>
      ) : null}
      <dl class="details">
        <dt>Name</dt>
        <dd>{employee.fullName}</dd>
        <dt>Location</dt>
        <dd>{employee.location}</dd>
        <dt>Job Title</dt>
        <dd>{employee.jobTitle}</dd>
      </dl>
      <p>This removes the employee and their photo for good.</p>
      <form method="post" action={`/delete/${employee.id}`} class="confirm-delete">
        <CsrfField token={props.csrfToken} />
        <input type="hidden" name="version" value={String(employee.version)} />
        <button type="submit" class="btn danger">
          Delete
        </button>{' '}
        <a class="btn" href={`/employee/${employee.id}`}>
          Cancel
        </a>
      </form>
    </Layout>
  );
}
