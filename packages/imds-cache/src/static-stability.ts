import type { ImdsCredentials } from '@empdir/shared';
import type { Logger } from './log.js';
import type { CacheMetrics } from './metrics.js';

/** `extend`: serve the last credentials past the floor with a short new Expiration; `strict`: 503. */
export type StaticStabilityMode = 'extend' | 'strict';

/** Credentials as held: the IMDS document unchanged, plus what the cache needs to judge it. */
export interface HeldCredentials {
  readonly role: string;
  readonly document: ImdsCredentials;
  /** When they expire on the local clock: the document's Expiration corrected for clock skew. */
  readonly expiresAtMs: number;
  readonly fetchedAtMs: number;
  /** Present on an extension: the credentials IMDS actually gave, with their own Expiration. */
  readonly original?: HeldCredentials;
}

// The AWS SDKs' own window (smithy's getExtendedInstanceMetadataCredentials): 5 min + 0–5 min.
const EXTENSION_BASE_MS = 5 * 60_000;
const EXTENSION_JITTER_MS = 5 * 60_000;

/**
 * The held credentials with Expiration moved to now + 5–10 min (jittered per extension, so a fleet
 * does not come back at once). The keys are unchanged: AWS keeps honouring recently expired
 * instance credentials during an IMDS outage, which is what the SDKs' rule relies on.
 */
export function extendCredentials(
  held: HeldCredentials,
  nowMs: number,
  random: () => number,
): HeldCredentials {
  const original = held.original ?? held;
  const expiresAtMs = nowMs + EXTENSION_BASE_MS + Math.floor(random() * EXTENSION_JITTER_MS);
  return {
    role: original.role,
    document: { ...original.document, Expiration: imdsTimestamp(expiresAtMs) },
    expiresAtMs,
    fetchedAtMs: original.fetchedAtMs,
    original,
  };
}

/** RFC 3339 UTC without milliseconds, the way IMDS writes Expiration. */
export function imdsTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

export interface StaticStabilityOptions {
  readonly mode: StaticStabilityMode;
  readonly serveFloorMs: number;
  readonly random: () => number;
  readonly metrics?: CacheMetrics | undefined;
  readonly log?: Logger | undefined;
}

/** Decides what may be served from the held credentials, and keeps the current extension. */
export class StaticStability {
  readonly #o: StaticStabilityOptions;
  #extension: HeldCredentials | undefined;

  constructor(options: StaticStabilityOptions) {
    this.#o = options;
    options.metrics?.servingExtended.set(0);
  }

  /** `held` itself above the floor; past it one extension (reused above the floor) or nothing. */
  serve(held: HeldCredentials, nowMs: number): HeldCredentials | undefined {
    const { serveFloorMs, mode } = this.#o;
    if (held.expiresAtMs - nowMs > serveFloorMs) return held;
    if (mode === 'strict') return undefined;
    const current = this.#extension;
    if (current?.original === held && current.expiresAtMs - nowMs > serveFloorMs) return current;
    const next = extendCredentials(held, nowMs, this.#o.random);
    this.#extension = next;
    this.#o.metrics?.servingExtended.set(1);
    this.#o.log?.warn(
      {
        role: held.role,
        originalExpiration: held.document.Expiration,
        expiration: next.document.Expiration,
      },
      'serving the last credentials past their expiry with a new Expiration (static stability); IMDS has none newer',
    );
    return next;
  }

  /** New credentials arrived: no extension any more. */
  reset(): void {
    this.#extension = undefined;
    this.#o.metrics?.servingExtended.set(0);
  }
}
