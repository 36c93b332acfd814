import type { ErrorIssue } from '@empdir/shared';
import type { ImportSummary } from '../csv/employee-import.js';
import { CsrfField } from './hidden-fields.js';
import { Layout } from './layout.js';

export interface ImportPageProps {
  readonly csrfToken: string;
  readonly error?: { readonly message: string; readonly issues: readonly ErrorIssue[] };
  readonly summary?: ImportSummary;
}

/** The CSV upload form, with what the last upload did or why it was refused. */
export function ImportPage(props: ImportPageProps) {
  return (
    <Layout title="Import CSV">
      {props.summary ? (
        <p class="flash" role="status">
          Imported {props.summary.rows} rows: {props.summary.created} created,{' '}
          {props.summary.updated} updated, {props.summary.unchanged} unchanged.
        </p>
      ) : null}
      {props.error ? (
        <div class="error-summary" role="alert">
          <p>{props.error.message}</p>
          <ul>
            {props.error.issues.map((issue) => (
              <li>
                {issue.path}: {issue.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <p>
        Columns: <code>id</code> (empty for a new employee), <code>fullName</code>,{' '}
        <code>jobTitle</code>, <code>location</code>, <code>badges</code> (keys separated by
        spaces). The export's other columns are ignored. Every row is checked first: one bad row and
        nothing is written.
      </p>
      <form method="post" action="/import" enctype="multipart/form-data">
        <CsrfField token={props.csrfToken} />
        <div class="field">
          <label for="field-file">CSV file</label>
          <input id="field-file" type="file" name="file" accept=".csv,text/csv" required />
        </div>
        <button type="submit" class="btn primary">
          Import
        </button>{' '}
        <a class="btn" href="/api/employees.csv">
          Download the current directory
        </a>
      </form>
    </Layout>
  );
}
