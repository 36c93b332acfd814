import { errorEnvelope } from '@empdir/shared';
import { Hono } from 'hono';
import type { AppDeps } from '../app-deps.js';
import type { AppEnv } from '../app-env.js';

/** Liveness (the process answers) and readiness (the table and bucket are reachable). */
export function healthRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get('/healthz', (c) => {
      c.header('Cache-Control', 'no-store');
      return c.json({ status: 'ok' });
    })
    .get('/readyz', async (c) => {
      c.header('Cache-Control', 'no-store');
      if (deps.isShuttingDown()) {
        return c.json(
          errorEnvelope('upstream_unavailable', 'Shutting down.', c.var.requestId),
          503,
        );
      }
      const report = await deps.readiness();
      if (report.ready) return c.json({ status: 'ready', checks: report.checks });
      return c.json(
        {
          ...errorEnvelope(
            'upstream_unavailable',
            'DynamoDB or S3 is unreachable.',
            c.var.requestId,
          ),
          checks: report.checks,
        },
        503,
      );
    });
}
