import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import t from 'tap';
import type { Caller, CallerDetails, CallerIdentity } from './caller-identity.js';
import { ConnectionGuard, connectionOf } from './connection-guard.js';

/** A socket as far as the guard sees it: 'close' events and `destroyed`. */
function fakeSocket(uid: number | undefined) {
  const socket = Object.assign(new EventEmitter(), { destroyed: false, uid });
  return socket as unknown as Socket & { destroyed: boolean; uid: number | undefined };
}

/** Answers each socket's uid from the fake socket itself; counts the details lookups. */
function fakeIdentity() {
  const detailsCalls: Caller[] = [];
  const identity = {
    caller: async (socket: { uid?: number }) => ({ uid: socket.uid, inode: 1 }),
    details: async (caller: Caller): Promise<CallerDetails> => {
      detailsCalls.push(caller);
      return { uid: caller.uid, pid: 42, command: 'aws' };
    },
  };
  return { identity: identity as unknown as CallerIdentity, detailsCalls };
}

function setup(maxConnections: number, maxConnectionsPerUid: number) {
  const { identity, detailsCalls } = fakeIdentity();
  const guard = new ConnectionGuard({ maxConnections, maxConnectionsPerUid }, identity);
  const open = async (uid: number | undefined) => {
    const socket = fakeSocket(uid);
    guard.accept(socket);
    const connection = connectionOf(socket);
    await connection?.ready;
    return { socket, connection, close: () => socket.emit('close') };
  };
  return { guard, open, detailsCalls };
}

t.test('a socket the guard never saw has no connection state', async (t) => {
  t.equal(connectionOf(fakeSocket(1)), undefined);
});

t.test('over the overall cap a connection is refused; closing makes room', async (t) => {
  const { guard, open } = setup(2, 100);
  const a = await open(1);
  const b = await open(2);
  t.equal(a.connection?.refused, undefined);
  t.equal(b.connection?.refused, undefined);
  const c = await open(3);
  t.equal(c.connection?.refused, 'connections');
  t.equal(guard.openConnections, 3);
  c.close();
  b.close();
  t.equal(guard.openConnections, 1);
  t.equal((await open(4)).connection?.refused, undefined, 'two open again: at the cap, not over');
});

t.test(
  'over the per-uid cap a connection is refused; other and unknown uids are not',
  async (t) => {
    const { open } = setup(100, 2);
    const a = await open(1000);
    const b = await open(1000);
    t.equal(a.connection?.refused, undefined);
    t.equal(b.connection?.refused, undefined);
    const c = await open(1000);
    t.equal(c.connection?.refused, 'connections_per_uid');
    t.equal((await open(1001)).connection?.refused, undefined, 'another uid has its own count');
    for (let i = 0; i < 5; i++) {
      t.equal(
        (await open(undefined)).connection?.refused,
        undefined,
        'unknown uids are not capped',
      );
    }
    // Closing one of three leaves two: still at the cap, so the next is refused.
    c.close();
    t.equal((await open(1000)).connection?.refused, 'connections_per_uid');
  },
);

t.test('closing every connection of a uid frees its count entirely', async (t) => {
  const { open } = setup(100, 1);
  const a = await open(7);
  const b = await open(7);
  t.equal(b.connection?.refused, 'connections_per_uid');
  b.close();
  a.close();
  t.equal((await open(7)).connection?.refused, undefined);
  t.equal((await open(7)).connection?.refused, 'connections_per_uid', 'and counts from one again');
});

t.test('a connection over both caps keeps the first reason', async (t) => {
  const { open } = setup(1, 1);
  await open(5);
  t.equal((await open(5)).connection?.refused, 'connections');
});

t.test('a socket closed before its caller was known is not counted for its uid', async (t) => {
  const { guard, open } = setup(100, 1);
  const socket = fakeSocket(9);
  guard.accept(socket);
  socket.destroyed = true;
  socket.emit('close');
  await connectionOf(socket)?.ready;
  t.equal(guard.openConnections, 0);
  t.equal((await open(9)).connection?.refused, undefined, 'uid 9 has no connection counted');
});

t.test('the caller is known once ready settles; details are looked up once', async (t) => {
  const { guard, detailsCalls } = setup(100, 100);
  const socket = fakeSocket(1234);
  guard.accept(socket);
  const connection = connectionOf(socket);
  t.equal(connection?.caller, undefined, 'not known yet');
  t.ok(connection?.ready, 'the lookup is pending');
  const early = connection?.details();
  t.same(await connection?.ready, { uid: 1234, inode: 1 });
  t.same(connection?.caller, { uid: 1234, inode: 1 });
  t.equal(connection?.ready, undefined, 'nothing pending after');
  t.same(await early, { uid: 1234, pid: 42, command: 'aws' });
  t.equal(await connection?.details(), await early, 'the same answer again');
  t.same(detailsCalls, [{ uid: 1234, inode: 1 }], 'one lookup for the connection');
  t.equal(connection?.audited, undefined);
});
