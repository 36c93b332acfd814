import { CSRF_FIELD } from '../middleware/csrf-token.js';

/** The CSRF token every form carries. */
export function CsrfField(props: { token: string }) {
  return <input type="hidden" name={CSRF_FIELD} value={props.token} />;
}

/** A POST form with a single button, for delete: real form fields, no JavaScript. */
export function DeleteButton(props: { id: string; version: number; name: string; token: string }) {
  return (
    <form method="post" action={`/delete/${props.id}`} class="inline">
      <CsrfField token={props.token} />
      <input type="hidden" name="version" value={String(props.version)} />
      <button type="submit" class="btn danger" aria-label={`Delete ${props.name}`}>
        Delete
      </button>
    </form>
  );
}
