import type { Employee, SearchCriteria } from '@empdir/shared';
import { BadgeIcon } from './badge-icon.js';
import { DeleteLink } from './delete-page.js';
import { Layout } from './layout.js';
import { useCan } from './page-context.js';
import { listHref, SearchForm } from './search-form.js';

export interface ListPageProps {
  readonly employees: readonly Employee[];
  readonly photoUrls: ReadonlyMap<string, string>;
  readonly nextCursor: string | undefined;
  readonly isFirstPage: boolean;
  readonly csrfToken: string;
  readonly flash: string | undefined;
  /** Set when the page shows a search's results rather than the whole list. */
  readonly criteria?: SearchCriteria;
}

/** The directory: photo, name linking to the view page, badge icons, location; paginated. */
export function ListPage(props: ListPageProps) {
  const empty = props.employees.length === 0;
  const canEdit = useCan('editor');
  return (
    <Layout
      title="Employee Directory"
      flash={props.flash}
      actions={
        canEdit ? (
          <a class="btn primary" href="/add">
            Add
          </a>
        ) : null
      }
    >
      <SearchForm criteria={props.criteria} />
      {empty && props.isFirstPage && !props.criteria ? (
        <h2 class="empty">Empty Directory</h2>
      ) : null}
      {empty && props.isFirstPage && props.criteria ? (
        <p class="empty">No employees match.</p>
      ) : null}
      {empty && !props.isFirstPage ? <p class="empty">No more employees.</p> : null}
      {empty ? null : (
        <table class="directory">
          <caption>Employees, sorted by name</caption>
          <thead>
            <tr>
              <th scope="col">Photo</th>
              <th scope="col">Employee</th>
              {canEdit ? <th scope="col">Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {props.employees.map((employee) => {
              const url = employee.photoKey ? props.photoUrls.get(employee.photoKey) : undefined;
              return (
                <tr>
                  <td class="photo">
                    {url ? (
                      // The name is in the next cell: the thumbnail adds nothing for a screen reader.
                      <img width="50" src={url} alt="" />
                    ) : (
                      <span class="no-photo" aria-hidden="true" />
                    )}
                  </td>
                  <td>
                    <a href={`/employee/${employee.id}`}>{employee.fullName}</a>{' '}
                    {employee.badges.map((badge) => (
                      <BadgeIcon badge={badge} />
                    ))}
                    <br />
                    <small>{employee.location}</small>
                  </td>
                  {canEdit ? (
                    <td class="row-actions">
                      <DeleteLink id={employee.id} name={employee.fullName} />
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <nav class="pager" aria-label="Pages">
        {props.isFirstPage ? null : <a href={listHref(props.criteria)}>First page</a>}
        <a href="/everyone">Everyone on one page</a>
        <a href="/api/employees.csv" download>
          Download CSV
        </a>
        {canEdit ? <a href="/import">Import CSV</a> : null}
        {props.nextCursor ? (
          <a rel="next" href={listHref(props.criteria, props.nextCursor)}>
            Next
          </a>
        ) : null}
      </nav>
    </Layout>
  );
}
