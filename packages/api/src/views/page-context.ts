import { createContext, useContext } from 'hono/jsx';
import { type Identity, type Role, roleAllows } from '../auth/identity.js';

/** What every page's frame needs from the request: who is signed in and the form token. */
export interface PageContextValue {
  readonly user: Identity | undefined;
  readonly csrfToken: string | undefined;
}

export const PageContext = createContext<PageContextValue>({
  user: undefined,
  csrfToken: undefined,
});

export const usePage = () => useContext(PageContext);

/** True when the signed-in user may use what needs `role`: pages hide buttons that would be 403. */
export function useCan(role: Role): boolean {
  const { user } = usePage();
  return user?.role !== undefined && roleAllows(user.role, role);
}
