import { type DestinationStream, type Logger, pino } from 'pino';
import { scrubSecrets } from './secret-scrub.js';

export type { Logger } from 'pino';

/** Field names whose values are secrets, wherever they appear (one level of nesting, plus headers). */
const SECRET_KEYS = ['SecretAccessKey', 'secretAccessKey', 'Token', 'sessionToken', 'token'];
const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((key) => `*.${key}`),
  'authorization',
  'Authorization',
  '*.authorization',
  '*.Authorization',
  'req.headers.authorization',
  'req.headers["x-aws-ec2-metadata-token"]',
  'headers.authorization',
  'headers["x-aws-ec2-metadata-token"]',
];

export interface LoggerOptions {
  readonly level: string;
  /** Where JSON lines go; default stdout. Tests pass a stream to read the log back. */
  readonly destination?: DestinationStream;
}

/** The daemon's JSON logger: secrets are replaced with "[redacted]" before anything is written. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: 'imds-cache',
      level: options.level,
      // Paths cover child-logger bindings; the scrub covers any depth and any case in a line.
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { log: (object) => scrubSecrets(object) as Record<string, unknown> },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
