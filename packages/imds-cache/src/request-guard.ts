import { hash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { forbidden, unauthorized } from './errors.js';
import { hostPort } from './listen-address.js';

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

/** Checks the Authorization header against the token in constant time: missing 401, wrong 403. */
export function checkAuthorization(req: IncomingMessage, tokenDigest: Buffer): void {
  const given = req.headers.authorization;
  if (given === undefined || given === '') throw unauthorized();
  if (!timingSafeEqual(digest(given), tokenDigest)) {
    throw forbidden('Authorization token does not match the token file');
  }
}

/**
 * Equal-length digests make the comparison constant-time whatever length the caller sent; the
 * one-shot hash() skips the Hash object createHash() builds per call.
 */
export function digest(value: string): Buffer {
  return hash('sha256', value, 'buffer');
}
