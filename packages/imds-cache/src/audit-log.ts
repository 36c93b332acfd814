import type { CallerDetails } from './caller-identity.js';
import type { Clock } from './clock.js';
import type { Connection } from './connection-guard.js';
import type { Logger } from './log.js';
import type { PendingWork } from './pending-work.js';
import { TokenBucket } from './token-bucket.js';

export interface AuditLogOptions {
  readonly log: Logger;
  readonly clock: Clock;
  /** One line per caller (uid, unit or command), role and access key at most this often. */
  readonly intervalMs: number;
  /** Lines per minute over all callers; beyond it lines are counted, not written. */
  readonly maxLinesPerMinute?: number;
  /** Called for each line not written because of the cap. */
  readonly onSuppressed?: () => void;
  /** Tracks lines waiting on a caller lookup, so shutdown can let them finish. */
  readonly pending?: PendingWork;
  /** The user name of a uid, for readers of the log (default: none). */
  readonly userName?: (uid: number | undefined) => string | undefined;
}

/** One caller's sampling state (shared by its connections once the caller is known). */
export interface AuditEntry {
  /** Undefined until the caller's lookup has finished. */
  key: string | undefined;
  caller: CallerDetails | undefined;
  readonly role: string;
  readonly accessKeyId: string;
  /** The clients-file client whose token was presented; undefined for the main token. */
  readonly client: string | undefined;
  loggedAtMs: number;
  /** Issuances since the last line. */
  n: number;
}

const MAX_KEYS = 4096;

/**
 * "credentials issued" lines: who (uid, unit or command, pid), which role, the first 8 characters
 * of the access key id; never a secret. Sampled: the first issuance on a connection looks its
 * caller up once; then one line per caller, role and key per interval, with the count since the last.
 */
export class AuditLog {
  readonly #options: AuditLogOptions;
  readonly #entries = new Map<string, AuditEntry>();
  readonly #lines: TokenBucket;
  #suppressed = 0;

  constructor(options: AuditLogOptions) {
    this.#options = options;
    const perMinute = options.maxLinesPerMinute ?? 600;
    this.#lines = new TokenBucket({
      ratePerSecond: perMinute / 60,
      burst: Math.max(1, Math.ceil(perMinute / 6)),
      clock: options.clock,
    });
  }

  /** Records one credentials answer on `connection` (synchronous; the line may follow later). */
  issued(connection: Connection, role: string, accessKeyId: string, client?: string): void {
    const seen = connection.audited;
    // The hot path: the same key again on a keep-alive connection is an increment and a clock read.
    if (seen !== undefined && seen.accessKeyId === accessKeyId) {
      const entry = seen.entry;
      entry.n += 1;
      if (entry.key !== undefined && this.#due(entry)) this.#write(entry);
      return;
    }
    const pending: AuditEntry = {
      key: undefined,
      caller: undefined,
      role,
      accessKeyId,
      client,
      loggedAtMs: Number.NEGATIVE_INFINITY,
      n: 1,
    };
    const audited = { accessKeyId, entry: pending };
    connection.audited = audited;
    const line = connection.details().then((caller) => {
      const who = caller.unit ?? caller.command ?? '?';
      const key = `${caller.uid ?? '?'}|${who}|${role}|${accessKeyId}`;
      let entry = this.#entries.get(key);
      if (entry === undefined) {
        if (this.#entries.size >= MAX_KEYS) this.#entries.clear();
        entry = { ...pending, key, caller, n: 0 };
        this.#entries.set(key, entry);
      }
      entry.n += pending.n;
      audited.entry = entry;
      if (this.#due(entry)) this.#write(entry);
    });
    this.#options.pending?.track(line);
  }

  #due(entry: AuditEntry): boolean {
    return this.#options.clock.now() - entry.loggedAtMs >= this.#options.intervalMs;
  }

  #write(entry: AuditEntry): void {
    // Over the line budget the count stays on the entry and goes out with its next line.
    if (!this.#lines.tryTake()) {
      this.#suppressed += 1;
      this.#options.onSuppressed?.();
      return;
    }
    const issued = entry.n;
    entry.n = 0;
    entry.loggedAtMs = this.#options.clock.now();
    const suppressed = this.#suppressed;
    this.#suppressed = 0;
    const caller = entry.caller ?? { uid: undefined };
    const user = this.#options.userName?.(caller.uid);
    this.#options.log.info(
      {
        audit: 'credentials_issued',
        uid: caller.uid,
        ...(user ? { user } : {}),
        ...(caller.unit ? { unit: caller.unit } : {}),
        ...(caller.command ? { command: caller.command } : {}),
        ...(caller.pid ? { callerPid: caller.pid } : {}),
        ...(entry.client ? { client: entry.client } : {}),
        role: entry.role,
        accessKeyIdPrefix: entry.accessKeyId.slice(0, 8),
        issued,
        ...(suppressed > 0 ? { linesSuppressed: suppressed } : {}),
      },
      'credentials issued',
    );
  }
}
