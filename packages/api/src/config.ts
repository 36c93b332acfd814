import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { z } from 'zod';

/** Every setting of the API, parsed once from the environment and frozen. */
export interface ApiConfig {
  readonly tableName: string;
  readonly photosBucket: string;
  readonly region: string;
  readonly dynamoDbEndpoint: string | undefined;
  readonly s3Endpoint: string | undefined;
  readonly port: number;
  readonly host: string;
  readonly logLevel: LogLevel;
  readonly sessionSecret: string;
  /** True when SESSION_SECRET was absent and a random one was made: forms break across instances. */
  readonly sessionSecretGenerated: boolean;
  readonly trustedOrigins: readonly string[];
  /** Host header values served (host[:port], lower case); empty: any Host. */
  readonly trustedHosts: readonly string[];
  readonly cookieSecure: 'auto' | 'always' | 'never';
  readonly pageSize: number;
  readonly photoUrlTtlSeconds: number;
  readonly readinessCacheMs: number;
  readonly shutdownGraceMs: number;
  readonly awsTimeoutMs: number;
  /** Photos decoded and resized at once; more are refused with 503 server_busy. */
  readonly imageJobsMax: number;
  readonly instanceInfo: {
    /** The imds-cache daemon's instance endpoint, from AWS_CONTAINER_CREDENTIALS_FULL_URI's origin. */
    readonly url: string | undefined;
    readonly tokenFile: string | undefined;
    readonly token: string | undefined;
    readonly timeoutMs: number;
  };
  /** Set on AWS Lambda: no instance to describe and no CPU stress. */
  readonly lambdaFunctionName: string | undefined;
  readonly oidc: OidcSettings;
  readonly session: { readonly idleTimeoutSeconds: number; readonly maxAgeSeconds: number };
}

/** Sign-in through OpenID Connect (authorization code + PKCE) and bearer access tokens. */
export interface OidcSettings {
  readonly issuer: string;
  readonly clientId: string;
  /** Undefined: a public client (PKCE only). */
  readonly clientSecret: string | undefined;
  /** Undefined: `${request origin}/auth/callback`. */
  readonly redirectUri: string | undefined;
  readonly scopes: string;
  readonly groupsClaim: string;
  /** Accepted `aud` (or, without `aud`, `client_id`) values of bearer access tokens. */
  readonly audiences: readonly string[];
  /** Logout URL for providers whose discovery has no end_session_endpoint (Cognito's /logout). */
  readonly endSessionUrl: string | undefined;
  /** Undefined: `${request origin}/auth/signed-out`. */
  readonly postLogoutRedirectUri: string | undefined;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly issues: readonly string[]) {
    super(`invalid configuration:\n  - ${issues.join('\n  - ')}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

// Empty strings count as unset: systemd and shell templates often leave `KEY=` behind.
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const integer = (min: number, max: number, fallback: number) =>
  optional(
    z
      .string()
      .regex(/^\d+$/, { error: 'expected a whole number' })
      .transform(Number)
      .pipe(z.int().min(min).max(max)),
  ).transform((value) => value ?? fallback);

const anyHttpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });
const httpUrl = anyHttpUrl.transform((value) => value.replace(/\/+$/, ''));

// Plain HTTP only on loopback: the local identity provider of `npm start` and the tests.
// Kept exactly as given: an issuer's trailing slash is part of its identifier.
const secureUrl = anyHttpUrl.refine(
  (value) =>
    value.startsWith('https:') || /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|\/|$)/.test(value),
  { error: 'expected an https URL (http only on 127.0.0.1, localhost or [::1])' },
);

const name = (what: string) =>
  z
    .string({ error: `required (${what})` })
    .trim()
    .min(1, { error: `required (${what})` });

const envSchema = z.object({
  TABLE_NAME: name('the DynamoDB table name').pipe(z.string().regex(/^[a-zA-Z0-9_.-]{3,255}$/)),
  PHOTOS_BUCKET: name('the S3 bucket for photos').pipe(
    z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'expected an S3 bucket name' }),
  ),
  AWS_REGION: name('the AWS region, e.g. us-east-1').pipe(
    z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, { error: 'expected a region like us-east-1' }),
  ),
  DYNAMODB_ENDPOINT: optional(httpUrl),
  S3_ENDPOINT: optional(httpUrl),
  PORT: integer(0, 65535, 8080),
  HOST: optional(z.string().regex(/^[\w.:-]+$/, { error: 'expected a host name or address' })),
  LOG_LEVEL: optional(z.enum(LOG_LEVELS)),
  SESSION_SECRET: optional(z.string().min(32, { error: 'must be at least 32 characters' })),
  TRUSTED_ORIGINS: optional(z.string()),
  TRUSTED_HOSTS: optional(z.string()),
  COOKIE_SECURE: optional(z.enum(['auto', 'always', 'never'])),
  PAGE_SIZE: integer(1, 100, 25),
  PHOTO_URL_TTL_SECONDS: integer(120, 43_200, 900),
  READINESS_CACHE_MS: integer(0, 600_000, 5_000),
  SHUTDOWN_GRACE_MS: integer(0, 120_000, 10_000),
  AWS_TIMEOUT_MS: integer(100, 60_000, 3_000),
  // 0: two per CPU core, counted at start-up.
  IMAGE_JOBS_MAX: integer(0, 256, 0),
  INSTANCE_INFO_TIMEOUT_MS: integer(50, 10_000, 1_000),
  AWS_CONTAINER_CREDENTIALS_FULL_URI: optional(httpUrl),
  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: optional(z.string()),
  AWS_CONTAINER_AUTHORIZATION_TOKEN: optional(z.string()),
  AWS_LAMBDA_FUNCTION_NAME: optional(z.string()),
  OIDC_ISSUER: name('the OpenID Connect issuer URL').pipe(secureUrl),
  OIDC_CLIENT_ID: name('the OpenID Connect client id'),
  OIDC_CLIENT_SECRET: optional(z.string().min(16, { error: 'must be at least 16 characters' })),
  OIDC_REDIRECT_URI: optional(secureUrl),
  OIDC_SCOPES: optional(z.string().regex(/^[\x21-\x7e]+( [\x21-\x7e]+)*$/)),
  OIDC_GROUPS_CLAIM: optional(z.string().min(1)),
  OIDC_AUDIENCE: optional(z.string()),
  OIDC_END_SESSION_URL: optional(secureUrl),
  OIDC_POST_LOGOUT_REDIRECT_URI: optional(secureUrl),
  SESSION_IDLE_TIMEOUT_SECONDS: integer(60, 86_400, 1_800),
  SESSION_MAX_AGE_SECONDS: integer(300, 604_800, 28_800),
});

function parseOrigins(raw: string | undefined, issues: string[]): string[] {
  if (!raw) return [];
  const origins: string[] = [];
  for (const part of raw.split(',').map((p) => p.trim())) {
    if (!part) continue;
    const url = URL.canParse(part) ? new URL(part) : undefined;
    if (!url || !/^https?:$/.test(url.protocol) || url.origin !== part.replace(/\/$/, '')) {
      issues.push(`TRUSTED_ORIGINS: "${part}" is not an origin like https://example.com`);
      continue;
    }
    origins.push(url.origin);
  }
  return origins;
}

function parseHosts(raw: string | undefined, issues: string[]): string[] {
  if (!raw) return [];
  const hosts: string[] = [];
  for (const part of raw.split(',').map((p) => p.trim().toLowerCase())) {
    if (!part) continue;
    // A name or IPv4 address, or an IPv6 address in brackets, then an optional port.
    if (!/^([a-z0-9.-]+|\[[0-9a-f:.]+\])(:\d{1,5})?$/.test(part)) {
      issues.push(`TRUSTED_HOSTS: "${part}" is not a host like example.com or 127.0.0.1:8080`);
      continue;
    }
    hosts.push(part);
  }
  return hosts;
}

/** Reads the API's settings; throws ConfigError listing every bad key at once. */
export function loadConfig(env: Env = process.env): ApiConfig {
  const parsed = envSchema.safeParse(env);
  const issues: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? '(environment)');
      // The value is named only for non-secret keys: a bad SESSION_SECRET must not reach a log.
      const shown = key.includes('SECRET') || key.includes('TOKEN') ? '' : describe(env[key]);
      issues.push(`${key}: ${issue.message}${shown}`);
    }
    throw new ConfigError(issues);
  }
  const e = parsed.data;
  const trustedOrigins = parseOrigins(e.TRUSTED_ORIGINS, issues);
  const trustedHosts = parseHosts(e.TRUSTED_HOSTS, issues);
  if (e.SESSION_IDLE_TIMEOUT_SECONDS > e.SESSION_MAX_AGE_SECONDS) {
    issues.push('SESSION_IDLE_TIMEOUT_SECONDS: must not exceed SESSION_MAX_AGE_SECONDS');
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return Object.freeze({
    tableName: e.TABLE_NAME,
    photosBucket: e.PHOTOS_BUCKET,
    region: e.AWS_REGION,
    dynamoDbEndpoint: e.DYNAMODB_ENDPOINT,
    s3Endpoint: e.S3_ENDPOINT,
    port: e.PORT,
    host: e.HOST ?? '127.0.0.1',
    logLevel: e.LOG_LEVEL ?? 'info',
    sessionSecret: e.SESSION_SECRET ?? randomBytes(32).toString('base64url'),
    sessionSecretGenerated: e.SESSION_SECRET === undefined,
    trustedOrigins: Object.freeze(trustedOrigins),
    trustedHosts: Object.freeze(trustedHosts),
    cookieSecure: e.COOKIE_SECURE ?? 'auto',
    pageSize: e.PAGE_SIZE,
    photoUrlTtlSeconds: e.PHOTO_URL_TTL_SECONDS,
    readinessCacheMs: e.READINESS_CACHE_MS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    awsTimeoutMs: e.AWS_TIMEOUT_MS,
    imageJobsMax: e.IMAGE_JOBS_MAX || 2 * availableParallelism(),
    instanceInfo: Object.freeze({
      url: e.AWS_CONTAINER_CREDENTIALS_FULL_URI
        ? `${new URL(e.AWS_CONTAINER_CREDENTIALS_FULL_URI).origin}/v1/instance`
        : undefined,
      tokenFile: e.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE,
      token: e.AWS_CONTAINER_AUTHORIZATION_TOKEN,
      timeoutMs: e.INSTANCE_INFO_TIMEOUT_MS,
    }),
    lambdaFunctionName: e.AWS_LAMBDA_FUNCTION_NAME,
    oidc: Object.freeze({
      issuer: e.OIDC_ISSUER,
      clientId: e.OIDC_CLIENT_ID,
      clientSecret: e.OIDC_CLIENT_SECRET,
      redirectUri: e.OIDC_REDIRECT_URI,
      scopes: e.OIDC_SCOPES ?? 'openid profile email',
      groupsClaim: e.OIDC_GROUPS_CLAIM ?? 'cognito:groups',
      audiences: Object.freeze(
        (e.OIDC_AUDIENCE ?? e.OIDC_CLIENT_ID)
          .split(',')
          .map((a) => a.trim())
          .filter(Boolean),
      ),
      endSessionUrl: e.OIDC_END_SESSION_URL,
      postLogoutRedirectUri: e.OIDC_POST_LOGOUT_REDIRECT_URI,
    }),
    session: Object.freeze({
      idleTimeoutSeconds: e.SESSION_IDLE_TIMEOUT_SECONDS,
      maxAgeSeconds: e.SESSION_MAX_AGE_SECONDS,
    }),
  });
}

function describe(value: string | undefined): string {
  if (value === undefined) return '';
  return ` (got "${value.length > 80 ? `${value.slice(0, 80)}…` : value}")`;
}
