import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import { isIPv4, isIPv6 } from 'node:net';
import { endianness } from 'node:os';

/** Who is at the other end of a loopback connection, as far as /proc lets us see. */
export interface Caller {
  /** The peer socket's owner (from /proc/net/tcp{,6}); undefined when it could not be found. */
  readonly uid: number | undefined;
  /** The peer socket's inode: the key to its process in /proc/PID/fd. */
  readonly inode: number | undefined;
}

/** The peer's process, when its /proc entries are readable (same user, or root). */
export interface CallerDetails {
  readonly uid: number | undefined;
  readonly pid?: number;
  readonly command?: string;
  /** The systemd unit (service or scope) the process runs in. */
  readonly unit?: string;
}

/** The four ends of a TCP connection, as the accepting side sees them. */
export interface SocketEnds {
  readonly localAddress?: string | undefined;
  readonly localPort?: number | undefined;
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
}

interface Pending<K, V> {
  readonly key: K;
  readonly resolve: (value: V) => void;
}

/**
 * Finds callers in /proc. Lookups arriving together share one read of the socket table (and one
 * scan of /proc/PID/fd), so a burst of connections costs a few file reads, not one each.
 */
export class CallerIdentity {
  readonly #procRoot: string;
  #uidQueue: Array<Pending<SocketEnds, Caller>> = [];
  #pidQueue: Array<Pending<{ uid: number | undefined; inode: number }, number | undefined>> = [];

  constructor(options: { procRoot?: string } = {}) {
    this.#procRoot = options.procRoot ?? '/proc';
  }

  /** The peer's uid and socket inode. Never rejects: unknown is an answer. */
  caller(ends: SocketEnds): Promise<Caller> {
    return new Promise((resolve) => {
      if (this.#uidQueue.push({ key: ends, resolve }) === 1) setImmediate(() => this.#flushUids());
    });
  }

  /** The peer's pid, command and unit: one scan of /proc/PID/fd. Never rejects. */
  async details(caller: Caller): Promise<CallerDetails> {
    if (caller.inode === undefined) return { uid: caller.uid };
    const key = { uid: caller.uid, inode: caller.inode };
    const pid = await new Promise<number | undefined>((resolve) => {
      if (this.#pidQueue.push({ key, resolve }) === 1) setImmediate(() => this.#flushPids());
    });
    if (pid === undefined) return { uid: caller.uid };
    const [command, cgroup] = await Promise.all([
      readFile(`${this.#procRoot}/${pid}/comm`, 'utf8').catch(() => undefined),
      readFile(`${this.#procRoot}/${pid}/cgroup`, 'utf8').catch(() => undefined),
    ]);
    const unit = cgroup === undefined ? undefined : unitOf(cgroup);
    return {
      uid: caller.uid,
      pid,
      ...(command ? { command: command.trim() } : {}),
      ...(unit ? { unit } : {}),
    };
  }

  async #flushUids(): Promise<void> {
    const batch = this.#uidQueue;
    this.#uidQueue = [];
    const needs6 = batch.some((p) => !isIPv4(p.key.remoteAddress ?? ''));
    const needs4 = batch.some((p) => isIPv4(p.key.remoteAddress ?? ''));
    // /proc/self/net: /proc/net is hidden under systemd's ProcSubset=pid, this is not.
    const [tcp, tcp6] = await Promise.all([
      needs4 ? this.#read('self/net/tcp') : '',
      needs6 ? this.#read('self/net/tcp6') : '',
    ]);
    for (const { key, resolve } of batch) {
      const v4 = isIPv4(key.remoteAddress ?? '');
      resolve(findPeer(v4 ? tcp : tcp6, key, v4));
    }
  }

  async #flushPids(): Promise<void> {
    const batch = this.#pidQueue;
    this.#pidQueue = [];
    const wanted = new Map(batch.map((p) => [`socket:[${p.key.inode}]`, p.key.inode]));
    // Only the callers' own users' processes can hold their sockets: skip everyone else's.
    const uids = new Set(batch.map((p) => p.key.uid));
    const found = new Map<number, number>();
    const root = this.#procRoot;
    const pids = (await readdir(root).catch(() => [])).filter((n) => /^\d+$/.test(n));
    const scan = async (pid: string) => {
      if (found.size === wanted.size) return;
      if (!uids.has(undefined)) {
        const owner = (await stat(`${root}/${pid}`).catch(() => undefined))?.uid;
        if (!uids.has(owner)) return;
      }
      // Other users' processes are unreadable to a non-root daemon: that is expected.
      const fds = await readdir(`${root}/${pid}/fd`).catch(() => []);
      await Promise.all(
        fds.map(async (fd) => {
          const inode = wanted.get(await readlink(`${root}/${pid}/fd/${fd}`).catch(() => ''));
          if (inode !== undefined && !found.has(inode)) found.set(inode, Number(pid));
        }),
      );
    };
    // A few processes at a time: enough to keep libuv's threads busy, not a flood of promises.
    for (let i = 0; i < pids.length && found.size < wanted.size; i += 8) {
      await Promise.all(pids.slice(i, i + 8).map(scan));
    }
    for (const { key, resolve } of batch) resolve(found.get(key.inode));
  }

  #read(path: string): Promise<string> {
    return readFile(`${this.#procRoot}/${path}`, 'latin1').catch(() => '');
  }
}

/**
 * The peer's own row in the socket table: its local end is our remote end and the other way
 * round. Columns: sl local rem st tx:rx tr:when retrnsmt uid timeout inode.
 */
export function findPeer(table: string, ends: SocketEnds, v4: boolean): Caller {
  const unknown = { uid: undefined, inode: undefined };
  const local = procAddress(ends.remoteAddress, ends.remotePort, v4);
  const remote = procAddress(ends.localAddress, ends.localPort, v4);
  if (local === undefined || remote === undefined) return unknown;
  const at = table.indexOf(` ${local} ${remote} `);
  if (at === -1) return unknown;
  const end = table.indexOf('\n', at);
  const fields = table
    .slice(at, end === -1 ? undefined : end)
    .trim()
    .split(/\s+/);
  const uid = Number(fields[6]);
  const inode = Number(fields[8]);
  return {
    uid: Number.isInteger(uid) ? uid : undefined,
    // Inode 0: a socket already gone (TIME_WAIT); no process holds it.
    inode: Number.isInteger(inode) && inode > 0 ? inode : undefined,
  };
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
