import { chown, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { CallerIdentity } from './caller-identity.js';
import { findPeer, procAddress, unitOf } from './proc-net.js';

t.test('addresses as /proc/net/tcp{,6} print them, on either byte order', async (t) => {
  t.equal(procAddress('127.0.0.1', 8080, true, true), '0100007F:1F90');
  t.equal(procAddress('127.0.0.1', 8080, true, false), '7F000001:1F90');
  t.equal(procAddress('::1', 443, false, true), '00000000000000000000000001000000:01BB');
  t.equal(procAddress('::ffff:127.0.0.1', 1, false, true), '0000000000000000FFFF00000100007F:0001');
  t.equal(procAddress('not-an-ip', 1, true), undefined);
  t.equal(procAddress(undefined, 1, true), undefined);
});

const TABLE = [
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  '   0: 0100007F:2AF8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 100 1 0',
  '   1: 0100007F:2AF8 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 101 1 0',
  '   2: 0100007F:C350 0100007F:2AF8 01 00000000:00000000 00:00000000 00000000  1001        0 102 1 0',
  '   3: 0100007F:C351 0100007F:2AF8 06 00000000:00000000 03:00000000 00000000     0        0 0 3 0',
  '',
].join('\n');

t.test("the peer's row: its local end is our remote end", async (t) => {
  const ends = { localAddress: '127.0.0.1', localPort: 11000, remotePort: 50000 };
  t.same(findPeer(TABLE, { ...ends, remoteAddress: '127.0.0.1' }, true), { uid: 1001, inode: 102 });
  t.same(
    findPeer(TABLE, { ...ends, remoteAddress: '127.0.0.1', remotePort: 50001 }, true),
    { uid: 0, inode: undefined },
    'TIME_WAIT: no inode',
  );
  t.same(findPeer(TABLE, { ...ends, remoteAddress: '127.0.0.2' }, true), {
    uid: undefined,
    inode: undefined,
  });
  t.same(findPeer(TABLE, {}, true), { uid: undefined, inode: undefined });
});

t.test('the systemd unit from /proc/PID/cgroup (v2, or v1 name=systemd)', async (t) => {
  t.equal(unitOf('0::/system.slice/employee-directory.service\n'), 'employee-directory.service');
  t.equal(unitOf('0::/user.slice/user-1000.slice/session-3.scope\n'), 'session-3.scope');
  t.equal(unitOf('12:pids:/\n1:name=systemd:/system.slice/cron.service\n'), 'cron.service');
  t.equal(unitOf('0::/\n'), undefined);
});

t.test(
  'a fake /proc: uid from the socket table, pid, command and unit from the fd scan',
  async (t) => {
    const root = await mkdtemp(join(tmpdir(), 'imds-cache-proc-'));
    t.teardown(() => rm(root, { recursive: true, force: true }));
    await mkdir(join(root, 'self', 'net'), { recursive: true });
    await writeFile(join(root, 'self', 'net', 'tcp'), TABLE.replaceAll('0100007F', procLo()));
    await writeFile(join(root, 'self', 'net', 'tcp6'), '');
    await mkdir(join(root, '77', 'fd'), { recursive: true });
    await mkdir(join(root, '78', 'fd'), { recursive: true });
    await symlink('socket:[999]', join(root, '77', 'fd', '3'));
    await symlink('socket:[102]', join(root, '78', 'fd', '5'));
    await writeFile(join(root, '78', 'comm'), 'aws\n');
    await writeFile(join(root, '78', 'cgroup'), '0::/system.slice/backup.service\n');
    // Only the caller's user's processes are scanned (their /proc/PID is theirs).
    if (process.getuid?.() === 0) await chown(join(root, '78'), 1001, 1001);
    const identity = new CallerIdentity({ procRoot: root });
    const ends = { localAddress: '127.0.0.1', localPort: 11000, remotePort: 50000 };
    const [caller, other] = await Promise.all([
      identity.caller({ ...ends, remoteAddress: '127.0.0.1' }),
      identity.caller({ ...ends, remoteAddress: '::1' }),
    ]);
    t.same(caller, { uid: 1001, inode: 102 });
    t.same(other, { uid: undefined, inode: undefined });
    t.same(
      await identity.details(process.getuid?.() === 0 ? caller : { ...caller, uid: undefined }),
      {
        uid: process.getuid?.() === 0 ? 1001 : undefined,
        pid: 78,
        command: 'aws',
        unit: 'backup.service',
      },
    );
    t.same(await identity.details(other), { uid: undefined });
    t.same(await identity.details({ uid: 5, inode: 4242 }), { uid: 5 }, 'no process found');
  },
);

t.test('the real /proc finds this very process behind a loopback connection', async (t) => {
  const identity = new CallerIdentity();
  const accepted = new Promise<Socket>((resolve) => {
    const server = createServer(resolve);
    t.teardown(() => server.close());
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const client = connect(
        typeof address === 'object' && address ? address.port : 0,
        '127.0.0.1',
      );
      t.teardown(() => client.destroy());
    });
  });
  const socket = await accepted;
  t.teardown(() => socket.destroy());
  const caller = await identity.caller(socket);
  t.equal(caller.uid, process.getuid?.());
  t.match(await identity.details(caller), { pid: process.pid, command: /^node/ });
});

/** 127.0.0.1 as this host prints it. */
function procLo(): string {
  return (procAddress('127.0.0.1', 0, true) ?? '').split(':')[0] ?? '';
}
