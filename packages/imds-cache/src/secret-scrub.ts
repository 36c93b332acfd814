import { stdSerializers } from 'pino';

/** Field names (any case) whose values are secrets wherever they sit in a log line. */
const SECRET_KEYS = new Set([
  'secretaccesskey',
  'token',
  'sessiontoken',
  'authorization',
  'x-aws-ec2-metadata-token',
]);
const CENSOR = '[redacted]';
// Deeper than any object the daemon logs; a cap keeps a pathological value from costing much.
const MAX_DEPTH = 10;

/**
 * A copy of a log value in which every secret-named field is censored at any depth, inside
 * errors too (an error is serialized the way pino would, then scrubbed). Fixed paths miss an
 * IMDS request attached to an error three levels down; this does not.
 */
export function scrubSecrets(value: unknown): unknown {
  return scrub(value, 0, []);
}

function scrub(value: unknown, depth: number, ancestors: object[]): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (ancestors.includes(value)) return '[Circular]';
  if (depth > MAX_DEPTH) return '[too deep]';
  const inner = [...ancestors, value];
  if (value instanceof Error) return scrubFields(stdSerializers.err(value), depth, inner);
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1, inner));
  const proto = Object.getPrototypeOf(value);
  // Dates, buffers and the like keep their own JSON form.
  if (proto !== Object.prototype && proto !== null) return value;
  return scrubFields(value, depth, inner);
}

function scrubFields(value: object, depth: number, ancestors: object[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    out[key] = SECRET_KEYS.has(key.toLowerCase()) ? CENSOR : scrub(field, depth + 1, ancestors);
  }
  return out;
}
