import { CSRF_FIELD } from '../middleware/csrf-token.js';

/** The CSRF token every form carries. */
export function CsrfField(props: { token: string }) {
  return <input type="hidden" name={CSRF_FIELD} value={props.token} />;
}
