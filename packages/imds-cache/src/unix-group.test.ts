import t from 'tap';
import { ConfigError } from './errors.js';
import { resolveGroups } from './unix-group.js';

const GROUP_FILE = 'root:x:0:\nempdir:x:1001:alice\nreports:x:1002:\n';

t.test('group names become gids; clients without a group stay undefined', async (t) => {
  t.same(
    resolveGroups(['empdir', undefined, 'reports'], () => GROUP_FILE),
    [1001, undefined, 1002],
  );
  t.same(
    resolveGroups([undefined], () => {
      throw new Error('not read when no client names a group');
    }),
    [undefined],
  );
});

t.test('every unknown group is listed with its clients-file entry', async (t) => {
  const error = (() => {
    try {
      resolveGroups(['nobody-here', 'empdir', 'ghosts'], () => GROUP_FILE);
    } catch (e) {
      return e;
    }
  })();
  t.type(error, ConfigError);
  t.same((error as ConfigError).problems, [
    'IMDS_CACHE_CLIENTS_FILE: clients[0].group: no group "nobody-here" in /etc/group',
    'IMDS_CACHE_CLIENTS_FILE: clients[2].group: no group "ghosts" in /etc/group',
  ]);
});
