import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { AppEnv } from '../app-env.js';

const quietPaths = new Set(['/healthz', '/readyz']);

/** One line per request with its id, status and duration; probes only at debug level. */
export function requestLog(logger: Logger, now: () => number): MiddlewareHandler<AppEnv> {
  return async function requestLog(c, next) {
    const startedMs = now();
    const log = logger.child({ requestId: c.var.requestId });
    c.set('log', log);
    await next();
    const line = {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: now() - startedMs,
    };
    if (quietPaths.has(c.req.path)) log.debug(line, 'request');
    else log.info(line, 'request');
  };
}
