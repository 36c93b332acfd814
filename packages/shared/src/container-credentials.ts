import { z } from 'zod';
import { type DocumentExtras, safeExtras } from './document-extras.js';

// RFC 3339 in UTC with a trailing Z, as IMDS and the container-credentials endpoint both send it.
const utcTimestamp = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, {
    error: 'must be an RFC 3339 UTC timestamp ending in Z',
  })
  .refine((value) => Number.isFinite(Date.parse(value)), { error: 'must be a real date' });

const nonEmpty = z.string().min(1);
const accountId = z.string().regex(/^\d{12}$/);

const imdsCredentialsFields = {
  Code: z.literal('Success', { error: 'Code must be "Success"' }),
  LastUpdated: utcTimestamp,
  Type: z.literal('AWS-HMAC'),
  AccessKeyId: nonEmpty,
  SecretAccessKey: nonEmpty,
  Token: nonEmpty,
  Expiration: utcTimestamp,
};
const IMDS_FIELDS: ReadonlySet<string> = new Set(Object.keys(imdsCredentialsFields));

/**
 * The document IMDS returns at /latest/meta-data/iam/security-credentials/<role>: the fields we
 * check, plus any other small string or number field IMDS sends (such as AccountId), unchanged.
 */
export type ImdsCredentials = z.infer<z.ZodObject<typeof imdsCredentialsFields>> & DocumentExtras;
export const imdsCredentialsSchema = z
  .looseObject(imdsCredentialsFields)
  .transform((doc): ImdsCredentials => {
    const { Code, LastUpdated, Type, AccessKeyId, SecretAccessKey, Token, Expiration } = doc;
    const known = { Code, LastUpdated, Type, AccessKeyId, SecretAccessKey, Token, Expiration };
    return { ...safeExtras(doc, IMDS_FIELDS), ...known };
  });

/** The container-credentials response every AWS SDK reads from AWS_CONTAINER_CREDENTIALS_FULL_URI. */
export const containerCredentialsSchema = z.object({
  AccessKeyId: nonEmpty,
  SecretAccessKey: nonEmpty,
  Token: nonEmpty,
  Expiration: utcTimestamp,
  AccountId: accountId.optional(),
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

// Fields the container answer sets itself; IMDS's own bookkeeping fields are not part of it.
const CONTAINER_SET: ReadonlySet<string> = new Set([...IMDS_FIELDS, 'AccountId', 'RoleArn']);

/**
 * The container-credentials response for an IMDS document: Expiration passes through unchanged,
 * and so do the document's other small fields. An AccountId IMDS sent wins when well formed.
 */
export function toContainerCredentials(
  imds: ImdsCredentials,
  identity: { accountId?: string; roleArn?: string } = {},
): ContainerCredentials & DocumentExtras {
  const sent = accountId.safeParse(imds.AccountId);
  const account = sent.success ? sent.data : identity.accountId;
  return {
    ...safeExtras(imds, CONTAINER_SET),
    AccessKeyId: imds.AccessKeyId,
    SecretAccessKey: imds.SecretAccessKey,
    Token: imds.Token,
    Expiration: imds.Expiration,
    ...(account ? { AccountId: account } : {}),
    ...(identity.roleArn ? { RoleArn: identity.roleArn } : {}),
  };
}
