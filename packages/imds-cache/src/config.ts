import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { FACADE_USER_PATTERN } from './facade-users.js';
import { isLoopback, type ListenAddress, parseListenAddress } from './listen-address.js';

/** The daemon's settings, parsed once from the environment and frozen. */
export interface ImdsCacheConfig {
  readonly listen: ListenAddress;
  readonly opsListen: ListenAddress;
  readonly allowNonLoopback: boolean;
  readonly tokenFile: string;
  readonly imdsEndpoint: string;
  readonly imdsTimeoutMs: number;
  readonly imdsTokenTtlSeconds: number;
  readonly upstreamMaxRps: number;
  readonly upstreamBurst: number;
  readonly upstreamMaxAttempts: number;
  readonly roleName: string | undefined;
  readonly ttlMs: number;
  readonly minRemainingMs: number;
  readonly serveFloorMs: number;
  readonly staticStability: 'extend' | 'strict';
  readonly imdsFacade: boolean;
  readonly rateLimitRps: number;
  readonly rateLimitBurst: number;
  readonly tokenOverlapMs: number;
  /** Who may use the IMDS facade: user names or uids, resolved at start. */
  readonly facadeUsers: readonly string[];
  readonly maxConnections: number;
  readonly maxConnectionsPerUid: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly auditIntervalMs: number;
  /** IMDS_CACHE_CLIENTS_FILE: per-client scoped roles (read at start); undefined when unset. */
  readonly clientsFile: string | undefined;
  /** STS endpoint for the clients' AssumeRole; undefined: the instance's regional endpoint. */
  readonly stsEndpoint: string | undefined;
  /** Whether the main token gets the instance role's credentials. */
  readonly serveInstanceRole: boolean;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

// An unset or empty variable takes the default; the default then goes through the same parsing.
const withDefault = <T extends z.ZodType<unknown, string>>(fallback: string, schema: T) =>
  z
    .string()
    .optional()
    .transform((value) => (value === undefined || value.trim() === '' ? fallback : value.trim()))
    .pipe(schema);

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: 'expected a whole number' })
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const onOff = z
  .string()
  .toLowerCase()
  .pipe(z.enum(['on', 'off', 'true', 'false', '1', '0', 'yes', 'no']))
  .transform((value) => ['on', 'true', '1', 'yes'].includes(value));

const listenAddress = z.string().transform((text, ctx) => {
  const parsed = parseListenAddress(text);
  if (typeof parsed === 'string') {
    ctx.addIssue({ code: 'custom', message: parsed });
    return z.NEVER;
  }
  return parsed;
});

const imdsEndpoint = z.string().transform((text, ctx) => {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  const bare = url?.pathname === '/' && !url.search && !url.hash && !url.username;
  if (url?.protocol !== 'http:' || !bare) {
    ctx.addIssue({ code: 'custom', message: 'expected http://host[:port] with no path' });
    return z.NEVER;
  }
  return url.origin;
});

// STS over https, or plain http on loopback only (a local stand-in).
const stsEndpoint = z.string().transform((text, ctx) => {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  const bare = url?.pathname === '/' && !url.search && !url.hash && !url.username;
  const local = url?.protocol === 'http:' && isLoopback(url.hostname.replace(/^\[|\]$/g, ''));
  if (!url || !bare || !(url.protocol === 'https:' || local)) {
    ctx.addIssue({
      code: 'custom',
      message: 'expected https://host[:port] (http only on loopback)',
    });
    return z.NEVER;
  }
  return url.origin;
});

const optional = <T extends z.ZodType<unknown, string>>(schema: T) =>
  z
    .string()
    .optional()
    .transform((value) => (value?.trim() ? value.trim() : undefined))
    .pipe(schema.optional());

const envSchema = {
  IMDS_CACHE_LISTEN: withDefault('127.0.0.1:9911', listenAddress),
  IMDS_CACHE_OPS_LISTEN: withDefault('127.0.0.1:9912', listenAddress),
  IMDS_CACHE_ALLOW_NON_LOOPBACK: withDefault('off', onOff),
  IMDS_CACHE_TOKEN_FILE: withDefault(
    '/run/imds-cache/token',
    z.string().refine(isAbsolute, { error: 'expected an absolute path' }),
  ),
  IMDS_CACHE_IMDS_ENDPOINT: withDefault('http://169.254.169.254', imdsEndpoint),
  IMDS_CACHE_IMDS_TIMEOUT_MS: withDefault('1000', wholeNumber(50, 60_000)),
  IMDS_CACHE_IMDS_TOKEN_TTL_SECONDS: withDefault('21600', wholeNumber(60, 21_600)),
  IMDS_CACHE_UPSTREAM_MAX_RPS: withDefault('2', wholeNumber(1, 100)),
  IMDS_CACHE_UPSTREAM_BURST: withDefault('4', wholeNumber(1, 100)),
  IMDS_CACHE_UPSTREAM_MAX_ATTEMPTS: withDefault('4', wholeNumber(1, 10)),
  IMDS_CACHE_ROLE_NAME: optional(
    z.string().regex(/^[\w+=,.@-]{1,128}$/, { error: 'expected an IAM role name' }),
  ),
  IMDS_CACHE_TTL_MS: withDefault('120000', wholeNumber(1_000, 3_600_000)),
  IMDS_CACHE_MIN_REMAINING_MS: withDefault('900000', wholeNumber(0, 6 * 3_600_000)),
  IMDS_CACHE_SERVE_FLOOR_MS: withDefault('60000', wholeNumber(0, 3_600_000)),
  IMDS_CACHE_STATIC_STABILITY: withDefault('extend', z.enum(['extend', 'strict'])),
  IMDS_CACHE_IMDS_FACADE: withDefault('off', onOff),
  IMDS_CACHE_RATE_LIMIT_RPS: withDefault('1000', wholeNumber(0, 1_000_000)),
  IMDS_CACHE_RATE_LIMIT_BURST: withDefault('500', wholeNumber(1, 1_000_000)),
  IMDS_CACHE_TOKEN_OVERLAP_MS: withDefault('600000', wholeNumber(0, 86_400_000)),
  IMDS_CACHE_FACADE_USERS: z
    .string()
    .optional()
    .transform((value) => (value ?? '').split(/[\s,]+/).filter((user) => user !== ''))
    .pipe(
      z.array(
        z
          .string()
          .regex(FACADE_USER_PATTERN, { error: 'expected user names or uids, comma separated' }),
      ),
    ),
  IMDS_CACHE_MAX_CONNECTIONS: withDefault('4096', wholeNumber(1, 100_000)),
  IMDS_CACHE_MAX_CONNECTIONS_PER_UID: withDefault('1024', wholeNumber(1, 100_000)),
  IMDS_CACHE_HEADERS_TIMEOUT_MS: withDefault('5000', wholeNumber(100, 60_000)),
  IMDS_CACHE_REQUEST_TIMEOUT_MS: withDefault('10000', wholeNumber(100, 300_000)),
  IMDS_CACHE_AUDIT_INTERVAL_MS: withDefault('60000', wholeNumber(0, 3_600_000)),
  IMDS_CACHE_CLIENTS_FILE: optional(
    z.string().refine(isAbsolute, { error: 'expected an absolute path' }),
  ),
  IMDS_CACHE_STS_ENDPOINT: optional(stsEndpoint),
  IMDS_CACHE_SERVE_INSTANCE_ROLE: withDefault('on', onOff),
  IMDS_CACHE_LOG_LEVEL: withDefault(
    'info',
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  ),
};

type Env = Readonly<Record<string, string | undefined>>;

type EnvKey = keyof typeof envSchema;
type Parsed = { [K in EnvKey]: z.output<(typeof envSchema)[K]> };

/** Parses the daemon's settings from `env`; throws ConfigError naming every bad key at once. */
export function parseConfig(env: Env): ImdsCacheConfig {
  const problems: string[] = [];
  const parsed: Partial<Record<EnvKey, unknown>> = {};
  // Each key alone, so one bad key never hides another and relations are checked on the rest.
  for (const key of Object.keys(envSchema) as EnvKey[]) {
    const result = envSchema[key].safeParse(env[key]);
    if (result.success) parsed[key] = result.data;
    else
      problems.push(
        ...result.error.issues.map((i) => `${key}: got ${shown(env[key])}, ${i.message}`),
      );
  }
  problems.push(...relationProblems(parsed as Partial<Parsed>, env));
  // A misspelt key would otherwise be silently ignored and its default used.
  for (const key of Object.keys(env).filter((k) => k.startsWith('IMDS_CACHE_'))) {
    if (!(key in envSchema)) problems.push(`${key}: unknown setting (see the README's table)`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const e = parsed as Parsed;
  return Object.freeze({
    listen: e.IMDS_CACHE_LISTEN,
    opsListen: e.IMDS_CACHE_OPS_LISTEN,
    allowNonLoopback: e.IMDS_CACHE_ALLOW_NON_LOOPBACK,
    tokenFile: e.IMDS_CACHE_TOKEN_FILE,
    imdsEndpoint: e.IMDS_CACHE_IMDS_ENDPOINT,
    imdsTimeoutMs: e.IMDS_CACHE_IMDS_TIMEOUT_MS,
    imdsTokenTtlSeconds: e.IMDS_CACHE_IMDS_TOKEN_TTL_SECONDS,
    upstreamMaxRps: e.IMDS_CACHE_UPSTREAM_MAX_RPS,
    upstreamBurst: e.IMDS_CACHE_UPSTREAM_BURST,
    upstreamMaxAttempts: e.IMDS_CACHE_UPSTREAM_MAX_ATTEMPTS,
    roleName: e.IMDS_CACHE_ROLE_NAME,
    ttlMs: e.IMDS_CACHE_TTL_MS,
    minRemainingMs: e.IMDS_CACHE_MIN_REMAINING_MS,
    serveFloorMs: e.IMDS_CACHE_SERVE_FLOOR_MS,
    staticStability: e.IMDS_CACHE_STATIC_STABILITY,
    imdsFacade: e.IMDS_CACHE_IMDS_FACADE,
    rateLimitRps: e.IMDS_CACHE_RATE_LIMIT_RPS,
    rateLimitBurst: e.IMDS_CACHE_RATE_LIMIT_BURST,
    tokenOverlapMs: e.IMDS_CACHE_TOKEN_OVERLAP_MS,
    facadeUsers: Object.freeze(e.IMDS_CACHE_FACADE_USERS),
    maxConnections: e.IMDS_CACHE_MAX_CONNECTIONS,
    maxConnectionsPerUid: e.IMDS_CACHE_MAX_CONNECTIONS_PER_UID,
    headersTimeoutMs: e.IMDS_CACHE_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: e.IMDS_CACHE_REQUEST_TIMEOUT_MS,
    auditIntervalMs: e.IMDS_CACHE_AUDIT_INTERVAL_MS,
    clientsFile: e.IMDS_CACHE_CLIENTS_FILE,
    stsEndpoint: e.IMDS_CACHE_STS_ENDPOINT,
    serveInstanceRole: e.IMDS_CACHE_SERVE_INSTANCE_ROLE,
    logLevel: e.IMDS_CACHE_LOG_LEVEL,
  });
}

function relationProblems(e: Partial<Parsed>, env: Env): string[] {
  const problems: string[] = [];
  const allowNonLoopback = e.IMDS_CACHE_ALLOW_NON_LOOPBACK ?? false;
  for (const key of ['IMDS_CACHE_LISTEN', 'IMDS_CACHE_OPS_LISTEN'] as const) {
    const address = e[key];
    if (address && !allowNonLoopback && !isLoopback(address.host)) {
      problems.push(
        `${key}: got ${shown(env[key])}, expected a loopback address (127.0.0.0/8 or [::1]); ` +
          'set IMDS_CACHE_ALLOW_NON_LOOPBACK=on to allow others',
      );
    }
  }
  const { IMDS_CACHE_LISTEN: listen, IMDS_CACHE_OPS_LISTEN: ops } = e;
  if (listen && ops && listen.port !== 0 && listen.port === ops.port && listen.host === ops.host) {
    problems.push(
      `IMDS_CACHE_OPS_LISTEN: got ${shown(env.IMDS_CACHE_OPS_LISTEN)}, must differ from IMDS_CACHE_LISTEN`,
    );
  }
  const floorMs = e.IMDS_CACHE_SERVE_FLOOR_MS;
  const minRemainingMs = e.IMDS_CACHE_MIN_REMAINING_MS;
  if (
    floorMs !== undefined &&
    minRemainingMs !== undefined &&
    minRemainingMs > 0 &&
    floorMs >= minRemainingMs
  ) {
    problems.push(
      `IMDS_CACHE_SERVE_FLOOR_MS: got ${floorMs}, expected less than IMDS_CACHE_MIN_REMAINING_MS (${minRemainingMs})`,
    );
  }
  problems.push(...guardProblems(e, env));
  return problems;
}

function guardProblems(e: Partial<Parsed>, env: Env): string[] {
  const problems: string[] = [];
  if (e.IMDS_CACHE_IMDS_FACADE && e.IMDS_CACHE_FACADE_USERS?.length === 0) {
    problems.push(
      'IMDS_CACHE_FACADE_USERS: got (unset), expected the users the facade may serve ' +
        '(it takes no token) when IMDS_CACHE_IMDS_FACADE is on',
    );
  }
  const { IMDS_CACHE_MAX_CONNECTIONS: total, IMDS_CACHE_MAX_CONNECTIONS_PER_UID: perUid } = e;
  if (total !== undefined && perUid !== undefined && perUid > total) {
    problems.push(
      `IMDS_CACHE_MAX_CONNECTIONS_PER_UID: got ${shown(env.IMDS_CACHE_MAX_CONNECTIONS_PER_UID)}, expected at most IMDS_CACHE_MAX_CONNECTIONS (${total})`,
    );
  }
  const { IMDS_CACHE_HEADERS_TIMEOUT_MS: headers, IMDS_CACHE_REQUEST_TIMEOUT_MS: request } = e;
  if (headers !== undefined && request !== undefined && headers > request) {
    problems.push(
      `IMDS_CACHE_HEADERS_TIMEOUT_MS: got ${headers}, expected at most IMDS_CACHE_REQUEST_TIMEOUT_MS (${request})`,
    );
  }
  return problems;
}

function shown(value: string | undefined): string {
  if (value === undefined) return '(unset)';
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}
