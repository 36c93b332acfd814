import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';

/**
 * Group names → gids from /etc/group, read once; an unknown group is a ConfigError naming the
 * clients file entry that uses it (the daemon stops with exit 2 before writing anything).
 */
export function resolveGroups(
  names: readonly (string | undefined)[],
  groupFile: () => string = () => readFileSync('/etc/group', 'utf8'),
): (number | undefined)[] {
  if (names.every((name) => name === undefined)) return names.map(() => undefined);
  const byName = new Map<string, number>();
  for (const line of groupFile().split('\n')) {
    const [name, , gid] = line.split(':');
    if (name && gid && /^\d+$/.test(gid)) byName.set(name, Number(gid));
  }
  const problems = names.flatMap((name, index) =>
    name === undefined || byName.has(name)
      ? []
      : [
          `IMDS_CACHE_CLIENTS_FILE: clients[${index}].group: no group ${JSON.stringify(name)} in /etc/group`,
        ],
  );
  if (problems.length > 0) throw new ConfigError(problems);
  return names.map((name) => (name === undefined ? undefined : byName.get(name)));
}
