import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';

/** A user name or uid as IMDS_CACHE_FACADE_USERS lists them (comma or space separated). */
export const FACADE_USER_PATTERN = /^(?:\d{1,10}|[a-z_][a-z0-9_.-]{0,31}\$?)$/i;

/**
 * The uids the IMDS facade serves (it has no token, so only these local users may read through
 * it). Names are looked up in /etc/passwd once at start; an unknown name stops the daemon.
 */
export function resolveFacadeUsers(
  users: readonly string[],
  passwd: () => string = () => readFileSync('/etc/passwd', 'utf8'),
): ReadonlySet<number> {
  const names = users.filter((u) => !/^\d+$/.test(u));
  const byName = new Map<string, number>();
  if (names.length > 0) {
    for (const line of passwd().split('\n')) {
      const [name, , uid] = line.split(':');
      if (name && uid && /^\d+$/.test(uid)) byName.set(name, Number(uid));
    }
  }
  const unknown = names.filter((n) => !byName.has(n));
  if (unknown.length > 0) {
    throw new ConfigError([
      `IMDS_CACHE_FACADE_USERS: no such user ${unknown.map((n) => JSON.stringify(n)).join(', ')} in /etc/passwd (use the uid)`,
    ]);
  }
  return new Set(users.map((u) => (/^\d+$/.test(u) ? Number(u) : (byName.get(u) as number))));
}

/** uid → user name from /etc/passwd, read on first use; an unreadable file gives no names. */
export function userNameLookup(
  passwd: () => string = () => readFileSync('/etc/passwd', 'utf8'),
): (uid: number | undefined) => string | undefined {
  let names: Map<number, string> | undefined;
  return (uid) => {
    if (uid === undefined) return undefined;
    if (names === undefined) {
      names = new Map();
      let text = '';
      try {
        text = passwd();
      } catch {
        // No names then: the uid alone still identifies the caller.
      }
      for (const line of text.split('\n')) {
        const [name, , id] = line.split(':');
        if (name && id && /^\d+$/.test(id) && !names.has(Number(id))) names.set(Number(id), name);
      }
    }
    return names.get(uid);
  };
}
