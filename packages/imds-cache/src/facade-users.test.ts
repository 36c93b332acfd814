import t from 'tap';
import { ConfigError } from './errors.js';
import { resolveFacadeUsers, userNameLookup } from './facade-users.js';

const PASSWD = ['root:x:0:0::/root:/bin/sh', 'empdir-api:x:998:998::/:/sbin/nologin', ''].join(
  '\n',
);

t.test('names are looked up in /etc/passwd, uids taken as they are', async (t) => {
  t.same([...resolveFacadeUsers(['empdir-api', '1234', 'root'], () => PASSWD)], [998, 1234, 0]);
  let read = 0;
  resolveFacadeUsers(['5'], () => {
    read++;
    return PASSWD;
  });
  t.equal(read, 0, 'only uids: /etc/passwd is not read');
});

t.test('an unknown name stops the daemon, named', async (t) => {
  t.throws(() => resolveFacadeUsers(['root', 'ghost', 'nobody2'], () => PASSWD), {
    constructor: ConfigError,
    message: /IMDS_CACHE_FACADE_USERS: no such user "ghost", "nobody2"/,
  });
});

t.test('user names for the audit log, read once; an unreadable file gives none', async (t) => {
  let read = 0;
  const name = userNameLookup(() => {
    read++;
    return PASSWD;
  });
  t.equal(name(998), 'empdir-api');
  t.equal(name(0), 'root');
  t.equal(name(5), undefined);
  t.equal(name(undefined), undefined);
  t.equal(read, 1);
  const none = userNameLookup(() => {
    throw new Error('EACCES');
  });
  t.equal(none(0), undefined);
});
