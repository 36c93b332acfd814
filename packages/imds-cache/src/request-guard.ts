import { hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Clock } from './clock.js';
import { forbidden, overloaded, unauthorized } from './errors.js';
import { hostPort } from './listen-address.js';
import { TokenBucket } from './token-bucket.js';

/** The Host values a loopback listener answers to: its own address, localhost and 127.0.0.1. */
export function allowedHosts(host: string, port: number): ReadonlySet<string> {
  return new Set(
    [hostPort(host, port), `localhost:${port}`, `127.0.0.1:${port}`].map((h) => h.toLowerCase()),
  );
}

/**
 * Refuses requests that did not come straight from a local process: a proxy's X-Forwarded-For, or
 * a Host other than ours (a browser tricked by DNS rebinding sends the attacker's name).
 */
export function checkOrigin(req: IncomingMessage, hosts: ReadonlySet<string>): void {
  if (req.headers['x-forwarded-for'] !== undefined) {
    throw forbidden('forwarded requests are refused (X-Forwarded-For present)');
  }
  const host = req.headers.host?.toLowerCase();
  if (!host || !hosts.has(host)) throw forbidden('Host header not allowed');
}

/** What checks a presented token: the current one, or the previous one during its overlap. */
export interface TokenCheck {
  accepts(given: string): boolean;
}

/** Whose a presented token is (the main token or a client's), compared in constant time. */
export interface TokenRouter<T> {
  match(given: string): T | undefined;
}

/**
 * Checks the Authorization header (constant time): missing 401, wrong 403. A failed attempt
 * spends the caller's own failure bucket; once it is empty the caller gets 503 + Retry-After, so
 * a flood of bad tokens neither touches the shared rate limit nor floods the log.
 */
export function checkAuthorization<T>(
  req: IncomingMessage,
  tokens: TokenRouter<T>,
  failures: AuthFailureBuckets,
  uid: number | undefined,
): T {
  const given = req.headers.authorization;
  const target = given ? tokens.match(given) : undefined;
  if (target !== undefined) return target;
  if (!failures.tryTake(uid)) throw overloaded('too many failed authentications; retry shortly');
  if (given === undefined || given === '') throw unauthorized();
  throw forbidden('Authorization token does not match any token file');
}

/** Per-uid buckets for failed authentications (one shared bucket for callers of unknown uid). */
export class AuthFailureBuckets {
  readonly #buckets = new Map<number | undefined, TokenBucket>();
  readonly #clock: Clock;
  readonly #ratePerSecond: number;
  readonly #burst: number;

  constructor(options: { clock: Clock; ratePerSecond?: number; burst?: number }) {
    this.#clock = options.clock;
    this.#ratePerSecond = options.ratePerSecond ?? 2;
    this.#burst = options.burst ?? 10;
  }

  tryTake(uid: number | undefined): boolean {
    let bucket = this.#buckets.get(uid);
    if (bucket === undefined) {
      // Uids on a host are few; the bound only guards against something odd.
      if (this.#buckets.size >= 4096) this.#buckets.clear();
      bucket = new TokenBucket({
        ratePerSecond: this.#ratePerSecond,
        burst: this.#burst,
        clock: this.#clock,
      });
      this.#buckets.set(uid, bucket);
    }
    return bucket.tryTake();
  }
}

/**
 * Equal-length digests make the comparison constant-time whatever length the caller sent; the
 * one-shot hash() skips the Hash object createHash() builds per call.
 */
export function digest(value: string): Buffer {
  return hash('sha256', value, 'buffer');
}
