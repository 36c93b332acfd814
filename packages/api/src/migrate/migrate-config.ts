import { parseArgs } from 'node:util';
import { z } from 'zod';

/**
 * The migration's settings: the API's own environment names (only those it needs, so it runs
 * without the web server's settings) plus the command line.
 */
export interface MigrateConfig {
  readonly tableName: string;
  readonly photosBucket: string;
  readonly region: string;
  readonly dynamoDbEndpoint: string | undefined;
  readonly s3Endpoint: string | undefined;
  readonly awsTimeoutMs: number;
  readonly fromTable: string;
  readonly fromBucket: string;
  readonly dryRun: boolean;
  readonly segments: number;
  readonly limit: number | undefined;
}

export const MIGRATE_USAGE =
  'usage: empdir-migrate-flask --from-table <table> --from-bucket <bucket> [--dry-run] [--segments 4] [--limit N]';

export class MigrateConfigError extends Error {
  override name = 'MigrateConfigError';
  constructor(readonly issues: readonly string[]) {
    super(`invalid configuration:\n  - ${issues.join('\n  - ')}\n${MIGRATE_USAGE}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const blankIsUnset = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const whole = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: 'expected a whole number' })
    .transform(Number)
    .pipe(z.int().min(min).max(max));

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
  .transform((value) => value.replace(/\/+$/, ''));

const tableName = z
  .string({ error: 'required (a DynamoDB table name)' })
  .regex(/^[a-zA-Z0-9_.-]{3,255}$/, { error: 'expected a DynamoDB table name' });
const bucketName = z
  .string({ error: 'required (an S3 bucket name)' })
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'expected an S3 bucket name' });

const schema = z.object({
  TABLE_NAME: tableName,
  PHOTOS_BUCKET: bucketName,
  AWS_REGION: z
    .string({ error: 'required (the AWS region, e.g. us-east-1)' })
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, { error: 'expected a region like us-east-1' }),
  DYNAMODB_ENDPOINT: blankIsUnset(httpUrl),
  S3_ENDPOINT: blankIsUnset(httpUrl),
  AWS_TIMEOUT_MS: blankIsUnset(whole(100, 60_000)),
  '--from-table': tableName,
  '--from-bucket': bucketName,
  '--segments': blankIsUnset(whole(1, 64)),
  '--limit': blankIsUnset(whole(1, Number.MAX_SAFE_INTEGER)),
});

/** Reads the environment and the arguments; throws MigrateConfigError listing every bad key. */
export function loadMigrateConfig(env: Env, argv: readonly string[]): MigrateConfig {
  const issues: string[] = [];
  const known = ['from-table', 'from-bucket', 'dry-run', 'segments', 'limit'];
  // Not strict, so one unknown option does not hide what is wrong with the others.
  const { values: args, positionals } = parseArgs({
    args: [...argv],
    options: {
      'from-table': { type: 'string' },
      'from-bucket': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      segments: { type: 'string' },
      limit: { type: 'string' },
    },
    strict: false,
    allowPositionals: true,
  });
  for (const key of Object.keys(args)) {
    if (!known.includes(key)) issues.push(`--${key}: unknown option`);
  }
  // `--dry-run=no` must not quietly become a real run.
  if (typeof args['dry-run'] !== 'boolean') issues.push('--dry-run: takes no value');
  if (positionals.length > 0) issues.push(`unexpected argument "${positionals[0]}"`);
  const input: Record<string, unknown> = { ...env };
  for (const key of ['from-table', 'from-bucket', 'segments', 'limit']) {
    input[`--${key}`] = args[key];
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? '(environment)');
      const got = input[key];
      const shown = typeof got === 'string' ? ` (got "${got}")` : got === true ? ' (no value)' : '';
      issues.push(`${key}: ${issue.message}${shown}`);
    }
  }
  if (parsed.success && parsed.data['--from-table'] === parsed.data.TABLE_NAME) {
    issues.push('--from-table: must not be TABLE_NAME, the table the migration writes to');
  }
  if (issues.length > 0 || !parsed.success) throw new MigrateConfigError(issues);
  const e = parsed.data;
  return Object.freeze({
    tableName: e.TABLE_NAME,
    photosBucket: e.PHOTOS_BUCKET,
    region: e.AWS_REGION,
    dynamoDbEndpoint: e.DYNAMODB_ENDPOINT,
    s3Endpoint: e.S3_ENDPOINT,
    awsTimeoutMs: e.AWS_TIMEOUT_MS ?? 3_000,
    fromTable: e['--from-table'],
    fromBucket: e['--from-bucket'],
    dryRun: args['dry-run'] === true,
    segments: e['--segments'] ?? 4,
    limit: e['--limit'],
  });
}
