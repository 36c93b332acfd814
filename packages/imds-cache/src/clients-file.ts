import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors.js';

/** One local client from IMDS_CACHE_CLIENTS_FILE: its token file and the role it is scoped to. */
export interface ClientSpec {
  readonly name: string;
  readonly tokenFile: string;
  readonly group: string | undefined;
  readonly roleArn: string;
  readonly roleName: string;
  readonly accountId: string;
  /** The session policy as STS takes it: minified JSON, at most 2048 characters. */
  readonly sessionPolicy: string | undefined;
  /** Session length asked of STS; role chaining caps it at one hour. */
  readonly durationSeconds: number;
}

export const DEFAULT_DURATION_SECONDS = 3_600;
export const SESSION_POLICY_MAX_CHARS = 2_048;
// IAM's role ARN: partition, 12-digit account, optional path, name of 1-64 characters.
const ROLE_ARN =
  /^arn:aws(?:-cn|-us-gov|-iso|-iso-[a-z]|-eusc)?:iam::(\d{12}):role\/(?:[\u0021-\u007e]{1,510}\/)?([\w+=,.@-]{1,64})$/;

const clientSchema = z.strictObject({
  // Goes into RoleSessionName, a session tag and metric labels: keep it short and plain.
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, {
    error: 'expected 1-32 of a-z 0-9 _ - starting with a letter or digit',
  }),
  tokenFile: z.string().refine(isAbsolute, { error: 'expected an absolute path' }),
  group: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]{0,31}$/, { error: 'expected a Unix group name' })
    .optional(),
  roleArn: z.string().regex(ROLE_ARN, {
    error: 'expected an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)',
  }),
  sessionPolicy: z
    .record(z.string(), z.unknown())
    .refine((policy) => 'Statement' in policy, { error: 'expected a policy with a Statement' })
    .refine((policy) => JSON.stringify(policy).length <= SESSION_POLICY_MAX_CHARS, {
      error: `expected at most ${SESSION_POLICY_MAX_CHARS} characters once minified`,
    })
    .optional(),
  durationSeconds: z
    .number()
    .int()
    .min(900, { error: 'expected at least 900 (STS minimum)' })
    .max(3_600, { error: 'expected at most 3600 (role chaining limit)' })
    .optional(),
});

const fileSchema = z.strictObject({
  clients: z.array(clientSchema).min(1, { error: 'expected at least one client' }),
});

/**
 * Parses the clients file's JSON; throws ConfigError listing every problem at once, each with its
 * JSON path (`clients[1].roleArn: …`). Names and token files must be unique, and no client may
 * use one of `reservedTokenFiles` (the main token file).
 */
export function parseClientsFile(
  text: string,
  options: { source?: string; reservedTokenFiles?: readonly string[] } = {},
): readonly ClientSpec[] {
  const source = options.source ?? 'IMDS_CACHE_CLIENTS_FILE';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`${source}: not JSON (${(error as Error).message})`]);
  }
  const result = fileSchema.safeParse(json);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => `${source}: ${jsonPath(issue.path)}: ${issue.message}`);
  // From the raw entries, so a duplicate is reported even beside other errors.
  problems.push(...duplicates(json, 'name', [], source));
  problems.push(...duplicates(json, 'tokenFile', options.reservedTokenFiles ?? [], source));
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(
    result.data.clients.map((client) => {
      const [, accountId = '', roleName = ''] = ROLE_ARN.exec(client.roleArn) ?? [];
      return Object.freeze({
        name: client.name,
        tokenFile: client.tokenFile,
        group: client.group,
        roleArn: client.roleArn,
        roleName,
        accountId,
        sessionPolicy: client.sessionPolicy && JSON.stringify(client.sessionPolicy),
        durationSeconds: client.durationSeconds ?? DEFAULT_DURATION_SECONDS,
      });
    }),
  );
}

/** Reads and parses the file at `path`; an unreadable file is one more ConfigError problem. */
export async function readClientsFile(
  path: string,
  options: { reservedTokenFiles?: readonly string[] } = {},
): Promise<readonly ClientSpec[]> {
  const source = `IMDS_CACHE_CLIENTS_FILE (${path})`;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError([`${source}: cannot read the file (${code})`]);
  }
  return parseClientsFile(text, { ...options, source });
}

function duplicates(
  json: unknown,
  field: 'name' | 'tokenFile',
  reserved: readonly string[],
  source: string,
): string[] {
  const clients = (json as { clients?: unknown } | null)?.clients;
  if (!Array.isArray(clients)) return [];
  const firstAt = new Map<string, number>();
  const problems: string[] = [];
  clients.forEach((client: unknown, index) => {
    const value = (client as Record<string, unknown> | null)?.[field];
    if (typeof value !== 'string') return;
    const path = `${source}: clients[${index}].${field}`;
    const first = firstAt.get(value);
    if (first !== undefined)
      problems.push(`${path}: ${JSON.stringify(value)} is also clients[${first}].${field}`);
    else if (reserved.includes(value))
      problems.push(`${path}: ${JSON.stringify(value)} is the main token file`);
    else firstAt.set(value, index);
  });
  return problems;
}

function jsonPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(file)';
  return path
    .map((key, index) =>
      typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`,
    )
    .join('');
}
