import { BADGE_KEYS, BADGES, EMPLOYEE_LIMITS } from '@empdir/shared';
import { BadgeIcon } from './badge-icon.js';
import { CsrfField } from './hidden-fields.js';
import { Layout } from './layout.js';

/** What the form shows: stored values on edit, or exactly what the user typed after an error. */
export interface EmployeeFormValues {
  readonly employeeId?: string;
  readonly version?: number;
  readonly fullName: string;
  readonly location: string;
  readonly jobTitle: string;
  readonly badges: readonly string[];
  /** The edit form's "Remove photo" box, kept ticked when the form comes back with an error. */
  readonly removePhoto?: boolean;
}

export interface EmployeeFormProps {
  readonly values: EmployeeFormValues;
  /** Field name (full_name, location, job_title, badges, photo, form) → message. */
  readonly errors: Readonly<Record<string, string>>;
  readonly photoUrl?: string | undefined;
  readonly csrfToken: string;
  readonly flash?: string | undefined;
}

export const EMPTY_FORM: EmployeeFormValues = {
  fullName: '',
  location: '',
  jobTitle: '',
  badges: [],
};

function TextField(props: {
  name: string;
  label: string;
  value: string;
  max: number;
  error: string | undefined;
}) {
  const id = `field-${props.name}`;
  return (
    <div class={props.error ? 'field invalid' : 'field'}>
      <label for={id}>{props.label}</label>
      <input
        id={id}
        type="text"
        name={props.name}
        value={props.value}
        required
        maxlength={props.max}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(props.error && `${id}-error`)}
      />
      {props.error ? (
        <p class="error" id={`${id}-error`}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

/** The ids that describe an input: its hint, then its error, or undefined when neither. */
const describedBy = (...ids: (string | false | undefined)[]) =>
  ids.filter(Boolean).join(' ') || undefined;

/** Add and edit share one form, posted as multipart to /save. */
export function EmployeeForm(props: EmployeeFormProps) {
  const { values, errors } = props;
  const editing = values.employeeId !== undefined;
  const messages = Object.entries(errors);
  return (
    <Layout
      title={editing ? 'Edit Employee' : 'Add Employee'}
      flash={props.flash}
      actions={
        <a class="btn" href={editing ? `/employee/${values.employeeId}` : '/'}>
          Cancel
        </a>
      }
    >
      {messages.length > 0 ? (
        <div class="error-summary" role="alert">
          <p>Please fix the following:</p>
          <ul>
            {messages.map(([field, message]) => (
              // Each message leads to its field; "form" is about the whole form and has none.
              <li>{field === 'form' ? message : <a href={`#field-${field}`}>{message}</a>}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <form method="post" action="/save" enctype="multipart/form-data" class="employee-form">
        <CsrfField token={props.csrfToken} />
        {editing ? (
          <>
            <input type="hidden" name="employee_id" value={values.employeeId} />
            <input type="hidden" name="version" value={String(values.version ?? '')} />
          </>
        ) : null}
        <div class={errors.photo ? 'field invalid' : 'field'}>
          {props.photoUrl ? (
            <img
              class="current-photo"
              src={props.photoUrl}
              alt={`Current portrait of ${values.fullName}`}
            />
          ) : null}
          <label for="field-photo">
            {editing ? 'Replace photo (optional)' : 'Photo (optional)'}
          </label>
          <input
            id="field-photo"
            type="file"
            name="photo"
            accept="image/jpeg,image/png,image/webp,image/gif"
            aria-invalid={errors.photo ? 'true' : undefined}
            aria-describedby={describedBy('field-photo-hint', errors.photo && 'field-photo-error')}
          />
          <p class="hint" id="field-photo-hint">
            JPEG, PNG, WebP or GIF, at most 5 MB.
          </p>
          {errors.photo ? (
            <p class="error" id="field-photo-error">
              {errors.photo}
            </p>
          ) : null}
          {props.photoUrl ? (
            <label class="check">
              <input
                type="checkbox"
                name="remove_photo"
                value="yes"
                checked={values.removePhoto === true}
              />{' '}
              Remove photo
            </label>
          ) : null}
        </div>
        <TextField
          name="full_name"
          label="Full Name"
          value={values.fullName}
          max={EMPLOYEE_LIMITS.fullName}
          error={errors.full_name}
        />
        <TextField
          name="location"
          label="Location"
          value={values.location}
          max={EMPLOYEE_LIMITS.location}
          error={errors.location}
        />
        <TextField
          name="job_title"
          label="Job Title"
          value={values.jobTitle}
          max={EMPLOYEE_LIMITS.jobTitle}
          error={errors.job_title}
        />
        <fieldset
          id="field-badges"
          class={errors.badges ? 'badges invalid' : 'badges'}
          aria-describedby={describedBy(errors.badges && 'field-badges-error')}
        >
          <legend>Badges</legend>
          {BADGE_KEYS.map((badge) => (
            <label class="badge-choice">
              <input
                type="checkbox"
                name="badges"
                value={badge}
                checked={values.badges.includes(badge)}
              />{' '}
              <BadgeIcon badge={badge} decorative /> {BADGES[badge]}
            </label>
          ))}
          {errors.badges ? (
            <p class="error" id="field-badges-error">
              {errors.badges}
            </p>
          ) : null}
        </fieldset>
        <button type="submit" class="btn primary">
          Save
        </button>
      </form>
    </Layout>
  );
}
