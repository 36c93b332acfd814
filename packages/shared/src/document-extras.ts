/** Fields of an IMDS document beyond the ones we validate, kept so clients see what IMDS sent. */
export type DocumentExtras = { readonly [field: string]: string | number };

/** At most this many unknown fields pass through; the rest are dropped. */
export const MAX_EXTRA_FIELDS = 16;
/** Longest unknown string value passed through (an account id or an ARN fits easily). */
export const MAX_EXTRA_STRING_LENGTH = 512;
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/**
 * The unknown fields of `document` that are safe to hand on: a plain name, and a string of
 * bounded length or a finite number. Objects, arrays, null and oversized values are dropped, so
 * whatever IMDS adds cannot grow what we hold or serve without bound.
 */
export function safeExtras(
  document: Readonly<Record<string, unknown>>,
  known: ReadonlySet<string>,
): DocumentExtras {
  const extras: Record<string, string | number> = {};
  let kept = 0;
  for (const [name, value] of Object.entries(document)) {
    if (kept === MAX_EXTRA_FIELDS) break;
    if (known.has(name) || !FIELD_NAME.test(name)) continue;
    const fits =
      (typeof value === 'string' && value.length <= MAX_EXTRA_STRING_LENGTH) ||
      (typeof value === 'number' && Number.isFinite(value));
    if (!fits) continue;
    extras[name] = value;
    kept += 1;
  }
  return extras;
}
