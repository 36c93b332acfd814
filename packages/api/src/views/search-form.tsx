import { BADGE_KEYS, BADGES, type SearchCriteria } from '@empdir/shared';

/** The list page's search box and filters: a GET form, so a search is a link one can share. */
export function SearchForm(props: { readonly criteria: SearchCriteria | undefined }) {
  const { q = '', badge, location = '' } = props.criteria ?? {};
  return (
    <form class="search" method="get" action="/">
      <label>
        Name <input type="search" name="q" value={q} maxlength={100} placeholder="Type a name" />
      </label>{' '}
      <label>
        Badge{' '}
        <select name="badge">
          <option value="">any</option>
          {BADGE_KEYS.map((key) => (
            <option value={key} selected={key === badge}>
              {BADGES[key]}
            </option>
          ))}
        </select>
      </label>{' '}
      <label>
        Location <input type="text" name="location" value={location} maxlength={100} />
      </label>{' '}
      <button class="btn" type="submit">
        Search
      </button>
      {props.criteria ? (
        <>
          {' '}
          <a href="/">Clear</a>
        </>
      ) : null}
    </form>
  );
}

/** The list's address for a search (the plain list without one), from its first page or a cursor. */
export function listHref(criteria: SearchCriteria | undefined, cursor?: string): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(criteria ?? {})) {
    if (value !== undefined) params.set(key, value);
  }
  if (cursor) params.set('cursor', cursor);
  const query = params.toString();
  return query ? `/?${query}` : '/';
}
