import type { Employee } from '@empdir/shared';
import { BadgePill } from './badge-icon.js';
import { DeleteLink } from './delete-page.js';
import { Layout } from './layout.js';
import { useCan } from './page-context.js';

/** The read-only page of one employee, with Edit, Delete and Home. */
export function EmployeeView(props: {
  employee: Employee;
  photoUrl: string | undefined;
  flash: string | undefined;
}) {
  const { employee } = props;
  const canEdit = useCan('editor');
  return (
    <Layout
      title={employee.fullName}
      flash={props.flash}
      actions={
        <>
          {canEdit ? (
            <a class="btn primary" href={`/edit/${employee.id}`}>
              Edit
            </a>
          ) : null}
          {canEdit ? <DeleteLink id={employee.id} name={employee.fullName} /> : null}
          <a class="btn" href="/">
            Home
          </a>
        </>
      }
    >
      <div class="employee">
        <div class="portrait">
          {props.photoUrl ? (
            <img src={props.photoUrl} width="120" height="160" alt={employee.fullName} />
          ) : (
            <span class="no-photo large">No photo</span>
          )}
        </div>
        <dl class="details">
          <dt>Location</dt>
          <dd>{employee.location}</dd>
          <dt>Job Title</dt>
          <dd>{employee.jobTitle}</dd>
          <dt>Badges</dt>
          <dd class="badge-list">
            {employee.badges.length === 0
              ? 'None'
              : employee.badges.map((badge) => <BadgePill badge={badge} />)}
          </dd>
        </dl>
      </div>
    </Layout>
  );
}
