import { open, readdir, readFile, readlink, stat } from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import { findPeer, indexTable, unitOf } from './proc-net.js';

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
  // One read of the socket table at a time: reading it costs more the more sockets are open, so
  // lookups arriving during a read wait for the next one instead of starting their own.
  #readingUids = false;
  #scanning = false;
  #pidQueue: Array<Pending<{ uid: number | undefined; inode: number }, number | undefined>> = [];

  constructor(options: { procRoot?: string } = {}) {
    this.#procRoot = options.procRoot ?? '/proc';
  }

  /** The peer's uid and socket inode. Never rejects: unknown is an answer. */
  caller(ends: SocketEnds): Promise<Caller> {
    return new Promise((resolve) => {
      const first = this.#uidQueue.push({ key: ends, resolve }) === 1;
      if (first && !this.#readingUids) setImmediate(() => this.#flushUids());
    });
  }

  /** The peer's pid, command and unit: one scan of /proc/PID/fd. Never rejects. */
  async details(caller: Caller): Promise<CallerDetails> {
    if (caller.inode === undefined) return { uid: caller.uid };
    const key = { uid: caller.uid, inode: caller.inode };
    const pid = await new Promise<number | undefined>((resolve) => {
      const first = this.#pidQueue.push({ key, resolve }) === 1;
      if (first && !this.#scanning) setImmediate(() => this.#flushPids());
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
    this.#readingUids = true;
    try {
      await this.#resolveUids(batch);
    } finally {
      this.#readingUids = false;
      if (this.#uidQueue.length > 0) setImmediate(() => this.#flushUids());
    }
  }

  async #resolveUids(batch: Array<Pending<SocketEnds, Caller>>): Promise<void> {
    const needs6 = batch.some((p) => !isIPv4(p.key.remoteAddress ?? ''));
    const needs4 = batch.some((p) => isIPv4(p.key.remoteAddress ?? ''));
    // /proc/self/net: /proc/net is hidden under systemd's ProcSubset=pid, this is not.
    const [tcp, tcp6] = await Promise.all([
      needs4 ? this.#read('self/net/tcp') : '',
      needs6 ? this.#read('self/net/tcp6') : '',
    ]);
    // A big batch indexes the table once instead of searching it once per lookup.
    const index = batch.length > 8 ? [indexTable(tcp), indexTable(tcp6)] : undefined;
    for (const { key, resolve } of batch) {
      const v4 = isIPv4(key.remoteAddress ?? '');
      resolve(findPeer(v4 ? tcp : tcp6, key, v4, index?.[v4 ? 0 : 1]));
    }
  }

  async #flushPids(): Promise<void> {
    const batch = this.#pidQueue;
    this.#pidQueue = [];
    this.#scanning = true;
    try {
      await this.#resolvePids(batch);
    } finally {
      this.#scanning = false;
      if (this.#pidQueue.length > 0) setImmediate(() => this.#flushPids());
    }
  }

  async #resolvePids(
    batch: Array<Pending<{ uid: number | undefined; inode: number }, number | undefined>>,
  ): Promise<void> {
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

  async #read(path: string): Promise<string> {
    // Few, big reads: the kernel walks its socket table again for every read() call.
    const file = await open(`${this.#procRoot}/${path}`, 'r').catch(() => undefined);
    if (!file) return '';
    try {
      let buffer = Buffer.allocUnsafe(1 << 20);
      let length = 0;
      for (;;) {
        if (length === buffer.length) {
          buffer = Buffer.concat([buffer, Buffer.allocUnsafe(buffer.length)]);
        }
        const { bytesRead } = await file.read(buffer, length, buffer.length - length);
        if (bytesRead === 0) break;
        length += bytesRead;
      }
      return buffer.toString('latin1', 0, length);
    } catch {
      return '';
    } finally {
      await file.close();
    }
  }
}
