import type { ImdsCredentials } from '@empdir/shared';

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
