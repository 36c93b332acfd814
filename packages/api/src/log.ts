import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from './config.js';

/** The service's JSON logger. Cookies and authorization headers never reach a log line. */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'empdir-api' },
    redact: {
      paths: [
        'headers.cookie',
        'headers.authorization',
        '*.headers.cookie',
        '*.headers.authorization',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
