/** The directory's roles, weakest first: each includes everything the ones before it may do. */
export const ROLES = ['viewer', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, and how they proved it. */
export interface Identity {
  readonly subject: string;
  /** What the page header shows. */
  readonly displayName: string;
  /** Undefined: signed in, but in none of the directory's groups (every route but sign-out is 403). */
  readonly role: Role | undefined;
  readonly via: 'session' | 'bearer';
}

/** Scopes a machine client's access token carries (the resource server `directory`). */
export const ROLE_SCOPE_PREFIX = 'directory/';

const rank = (role: Role) => ROLES.indexOf(role);

export function roleAllows(role: Role, needed: Role): boolean {
  return rank(role) >= rank(needed);
}

function strongest(roles: Iterable<string>): Role | undefined {
  let best: Role | undefined;
  for (const name of roles) {
    const role = ROLES.find((r) => r === name);
    if (role && (best === undefined || rank(role) > rank(best))) best = role;
  }
  return best;
}

/** A groups claim is a JSON array by the spec, but some providers send one space-separated string. */
function listOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  return [];
}

/** The strongest role named by the groups claim or, for machine clients, by `directory/<role>` scopes. */
export function roleFromClaims(
  claims: Readonly<Record<string, unknown>>,
  groupsClaim: string,
): Role | undefined {
  const fromGroups = listOf(claims[groupsClaim]);
  const fromScopes = listOf(claims.scope)
    .filter((scope) => scope.startsWith(ROLE_SCOPE_PREFIX))
    .map((scope) => scope.slice(ROLE_SCOPE_PREFIX.length));
  return strongest([...fromGroups, ...fromScopes]);
}

export function displayNameOf(claims: Readonly<Record<string, unknown>>): string {
  for (const key of ['name', 'preferred_username', 'cognito:username', 'email', 'client_id']) {
    const value = claims[key];
    if (typeof value === 'string' && value.trim()) return value.trim().slice(0, 100);
  }
  return typeof claims.sub === 'string' ? claims.sub.slice(0, 100) : 'unknown';
}
