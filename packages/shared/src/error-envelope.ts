import { z } from 'zod';

/** Stable error codes: clients match on these, never on message text. */
export const ERROR_CODES = [
  'bad_request',
  'validation_failed',
  'not_found',
  'method_not_allowed',
  'version_conflict',
  'precondition_required',
  'precondition_failed',
  'unsupported_media_type',
  'payload_too_large',
  'csrf_rejected',
  'unauthorized',
  'forbidden',
  'instance_role_not_served',
  'untrusted_host',
  'rate_limited',
  'server_busy',
  'credentials_unavailable',
  'upstream_unavailable',
  'upstream_error',
  'internal_error',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** One field-level problem: where (`path`) and what to fix (`message`). */
export const errorIssueSchema = z.object({
  path: z.string(),
  message: z.string(),
});
export type ErrorIssue = z.infer<typeof errorIssueSchema>;

/** Every error response body: `{ error: { code, message, requestId, issues? } }`. */
export const errorEnvelopeSchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    requestId: z.string(),
    issues: z.array(errorIssueSchema).optional(),
  }),
});
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;

export function errorEnvelope(
  code: ErrorCode,
  message: string,
  requestId: string,
  issues?: readonly ErrorIssue[],
): ErrorEnvelope {
  return {
    error: { code, message, requestId, ...(issues?.length ? { issues: [...issues] } : {}) },
  };
}

/** Turns zod issues into envelope issues: dotted path and message, never the rejected value. */
export function issuesFromZod(error: z.ZodError): ErrorIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}
