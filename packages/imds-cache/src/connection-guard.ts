import type { Socket } from 'node:net';
import type { AuditEntry } from './audit-log.js';
import type { Caller, CallerDetails, CallerIdentity } from './caller-identity.js';

/** What the credentials listener knows about one connection, found once when it is accepted. */
export interface Connection {
  /** Set once the caller lookup has finished (requests wait for it). */
  caller: Caller | undefined;
  /** Pending while the lookup runs; undefined after. */
  ready: Promise<Caller> | undefined;
  /** Why this connection is answered 503 and closed, when it is over a cap. */
  refused: 'connections' | 'connections_per_uid' | undefined;
  /** The caller's process, looked up at most once per connection and only when first needed. */
  details(): Promise<CallerDetails>;
  /** Audit state: the access key last issued on this connection, and its sampling entry. */
  audited: { accessKeyId: string; entry: AuditEntry } | undefined;
}

export interface ConnectionLimitOptions {
  readonly maxConnections: number;
  readonly maxConnectionsPerUid: number;
}

const CONNECTION = Symbol('imds-cache.connection');
type TaggedSocket = Socket & { [CONNECTION]?: Connection };

/**
 * Counts connections overall and per caller uid; a connection over either cap is marked refused
 * (its requests get 503 + Retry-After and Connection: close), so one local user cannot take every
 * connection the others need.
 */
export class ConnectionGuard {
  readonly #limits: ConnectionLimitOptions;
  readonly #identity: CallerIdentity;
  readonly #perUid = new Map<number, number>();
  #open = 0;

  constructor(limits: ConnectionLimitOptions, identity: CallerIdentity) {
    this.#limits = limits;
    this.#identity = identity;
  }

  get openConnections(): number {
    return this.#open;
  }

  /** The listener's 'connection' hook. */
  readonly accept = (socket: Socket): void => {
    this.#open += 1;
    let uidCounted: number | undefined;
    const identity = this.#identity;
    let details: Promise<CallerDetails> | undefined;
    const connection: Connection = {
      caller: undefined,
      ready: undefined,
      refused: this.#open > this.#limits.maxConnections ? 'connections' : undefined,
      details() {
        details ??= (connection.ready ?? Promise.resolve(connection.caller)).then((caller) =>
          caller ? identity.details(caller) : { uid: undefined },
        );
        return details;
      },
      audited: undefined,
    };
    connection.ready = identity.caller(socket).then((caller) => {
      connection.caller = caller;
      connection.ready = undefined;
      // An unknown uid is not capped per user (it would make one bucket of every unknown caller).
      if (caller.uid !== undefined && !socket.destroyed) {
        const count = (this.#perUid.get(caller.uid) ?? 0) + 1;
        this.#perUid.set(caller.uid, count);
        uidCounted = caller.uid;
        if (count > this.#limits.maxConnectionsPerUid) connection.refused ??= 'connections_per_uid';
      }
      return caller;
    });
    (socket as TaggedSocket)[CONNECTION] = connection;
    socket.once('close', () => {
      this.#open -= 1;
      if (uidCounted === undefined) return;
      const left = (this.#perUid.get(uidCounted) ?? 1) - 1;
      if (left === 0) this.#perUid.delete(uidCounted);
      else this.#perUid.set(uidCounted, left);
    });
  };
}

/** The connection's state, or undefined for a socket the guard never saw (tests without it). */
export function connectionOf(socket: Socket): Connection | undefined {
  return (socket as TaggedSocket)[CONNECTION];
}
