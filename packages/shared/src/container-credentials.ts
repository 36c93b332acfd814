import { z } from 'zod';

// RFC 3339 in UTC with a trailing Z, as IMDS and the container-credentials endpoint both send it.
const utcTimestamp = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, {
    error: 'must be an RFC 3339 UTC timestamp ending in Z',
  })
  .refine((value) => Number.isFinite(Date.parse(value)), { error: 'must be a real date' });

const nonEmpty = z.string().min(1);

/** The document IMDS returns at /latest/meta-data/iam/security-credentials/<role>. */
export const imdsCredentialsSchema = z.object({
  Code: z.literal('Success', { error: 'Code must be "Success"' }),
  LastUpdated: utcTimestamp,
  Type: z.literal('AWS-HMAC'),
  AccessKeyId: nonEmpty,
  SecretAccessKey: nonEmpty,
  Token: nonEmpty,
  Expiration: utcTimestamp,
});
export type ImdsCredentials = z.infer<typeof imdsCredentialsSchema>;

/** The container-credentials response every AWS SDK reads from AWS_CONTAINER_CREDENTIALS_FULL_URI. */
export const containerCredentialsSchema = z.object({
  AccessKeyId: nonEmpty,
  SecretAccessKey: nonEmpty,
  Token: nonEmpty,
  Expiration: utcTimestamp,
  AccountId: z
    .string()
    .regex(/^\d{12}$/)
    .optional(),
  RoleArn: z.string().startsWith('arn:').optional(),
});
export type ContainerCredentials = z.infer<typeof containerCredentialsSchema>;

export class CredentialsFormatError extends Error {
  override name = 'CredentialsFormatError';
  constructor(
    message: string,
    readonly issues: readonly string[],
  ) {
    super(message);
  }
}

function parseWith<T>(schema: z.ZodType<T>, what: string, input: unknown): T {
  const value = typeof input === 'string' ? safeJson(input, what) : input;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // Issue paths and messages only: the values may be secrets and must never reach a log.
  const issues = result.error.issues.map(
    (issue) => `${issue.path.join('.') || '(document)'}: ${issue.message}`,
  );
  throw new CredentialsFormatError(`malformed ${what}: ${issues.join('; ')}`, issues);
}

function safeJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CredentialsFormatError(`malformed ${what}: not JSON`, ['(document): not JSON']);
  }
}

/** Parses an IMDS credentials document (object or JSON text); throws CredentialsFormatError. */
export function parseImdsCredentials(input: unknown): ImdsCredentials {
  return parseWith(imdsCredentialsSchema, 'IMDS credentials document', input);
}

/** Parses a container-credentials response (object or JSON text); throws CredentialsFormatError. */
export function parseContainerCredentials(input: unknown): ContainerCredentials {
  return parseWith(containerCredentialsSchema, 'container credentials response', input);
}

/** The container-credentials response for an IMDS document: Expiration passes through unchanged. */
export function toContainerCredentials(
  imds: ImdsCredentials,
  identity: { accountId?: string; roleArn?: string } = {},
): ContainerCredentials {
  return {
    AccessKeyId: imds.AccessKeyId,
    SecretAccessKey: imds.SecretAccessKey,
    Token: imds.Token,
    Expiration: imds.Expiration,
    ...(identity.accountId ? { AccountId: identity.accountId } : {}),
    ...(identity.roleArn ? { RoleArn: identity.roleArn } : {}),
  };
}
