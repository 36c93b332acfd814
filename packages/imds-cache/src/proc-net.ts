import { isIPv4, isIPv6 } from 'node:net';
import { endianness } from 'node:os';
import type { Caller, SocketEnds } from './caller-identity.js';

// Reading /proc's text formats: the TCP socket tables and a process's cgroup.

/**
 * The peer's own row in the socket table: its local end is our remote end and the other way
 * round. Columns: sl local rem st tx:rx tr:when retrnsmt uid timeout inode.
 */
export function findPeer(
  table: string,
  ends: SocketEnds,
  v4: boolean,
  index?: ReadonlyMap<string, string>,
): Caller {
  const unknown = { uid: undefined, inode: undefined };
  const local = procAddress(ends.remoteAddress, ends.remotePort, v4);
  const remote = procAddress(ends.localAddress, ends.localPort, v4);
  if (local === undefined || remote === undefined) return unknown;
  let row = index?.get(`${local} ${remote}`);
  if (index === undefined) {
    const at = table.indexOf(` ${local} ${remote} `);
    const end = table.indexOf('\n', at);
    if (at !== -1) row = table.slice(at, end === -1 ? undefined : end);
  }
  if (row === undefined) return unknown;
  const fields = row.trim().split(/\s+/);
  const uid = Number(fields[6]);
  const inode = Number(fields[8]);
  return {
    uid: Number.isInteger(uid) ? uid : undefined,
    // Inode 0: a socket already gone (TIME_WAIT); no process holds it.
    inode: Number.isInteger(inode) && inode > 0 ? inode : undefined,
  };
}

/** Rows by "local remote", each from its local address on (as findPeer reads them). */
export function indexTable(table: string): Map<string, string> {
  const index = new Map<string, string>();
  for (const line of table.split('\n')) {
    const fields = line.trim().split(/\s+/, 3);
    if (fields.length === 3) {
      index.set(`${fields[1]} ${fields[2]}`, line.slice(line.indexOf(':') + 1));
    }
  }
  return index;
}

/** An address and port as /proc/net/tcp{,6} prints them (words in host byte order, hex). */
export function procAddress(
  address: string | undefined,
  port: number | undefined,
  v4: boolean,
  littleEndian = endianness() === 'LE',
): string | undefined {
  if (address === undefined || port === undefined) return undefined;
  const bytes = v4 ? ipv4Bytes(address) : ipv6Bytes(address);
  if (bytes === undefined) return undefined;
  let hex = '';
  for (let word = 0; word < bytes.length; word += 4) {
    const group = bytes.slice(word, word + 4);
    if (littleEndian) group.reverse();
    hex += group.map((b) => b.toString(16).padStart(2, '0')).join('');
  }
  return `${hex.toUpperCase()}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
}

function ipv4Bytes(address: string): number[] | undefined {
  return isIPv4(address) ? address.split('.').map(Number) : undefined;
}

function ipv6Bytes(address: string): number[] | undefined {
  if (!isIPv6(address)) return undefined;
  // An IPv4-mapped tail (::ffff:127.0.0.1) becomes two hex groups first.
  const text = address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a, b, c, d) =>
    [((+a << 8) | +b).toString(16), ((+c << 8) | +d).toString(16)].join(':'),
  );
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return groups.flatMap((g) => {
    const n = Number.parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

/** The last service or scope in a cgroup v2 (or v1 name=systemd) path. */
export function unitOf(cgroup: string): string | undefined {
  const line =
    cgroup.split('\n').find((l) => l.startsWith('0::')) ??
    cgroup.split('\n').find((l) => l.includes('name=systemd'));
  const segments = line?.slice(line.indexOf(':', line.indexOf(':') + 1) + 1).split('/') ?? [];
  return segments.reverse().find((s) => /\.(service|scope)$/.test(s));
}
