import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Clock } from './clock.js';
import type { CredentialCache } from './credential-cache.js';
import { methodNotAllowed, notFound } from './errors.js';
import { sendError, sendJson, sendText } from './http-response.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import { checkOrigin } from './request-guard.js';

export interface OpsServerDeps {
  readonly cache: CredentialCache;
  readonly clock: Clock;
  readonly metrics: Metrics;
  readonly hosts: () => ReadonlySet<string>;
  /** True once this start holds the lock and has written or reused the token file. */
  readonly tokenReady: () => boolean;
  readonly log: Logger;
}

/**
 * The ops listener: /healthz (process up), /readyz (this start's token in place and valid
 * credentials held; names this process, so a supervisor can tell it from a previous one), /metrics.
 */
export function opsRequestHandler(deps: OpsServerDeps): RequestListener {
  return (req, res) => {
    handle(deps, req, res).catch((error: unknown) => sendError(res, error, randomUUID(), deps.log));
  };
}

async function handle(deps: OpsServerDeps, req: IncomingMessage, res: ServerResponse) {
  checkOrigin(req, deps.hosts());
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/healthz' && path !== '/readyz' && path !== '/metrics') throw notFound();
  if (req.method !== 'GET') throw methodNotAllowed('GET');
  if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
  if (path === '/metrics') {
    return sendText(res, 200, await deps.metrics.registry.metrics(), 'text/plain; version=0.0.4');
  }
  const pid = process.pid;
  if (!deps.tokenReady()) {
    return sendJson(res, 503, { status: 'not_ready', reason: 'token file not written yet', pid });
  }
  const held = deps.cache.peek();
  if (!held) {
    return sendJson(res, 503, { status: 'not_ready', reason: 'no valid credentials held', pid });
  }
  const expiresInSeconds = Math.floor((held.expiresAtMs - deps.clock.now()) / 1000);
  // Still ready while extending (it does serve), but an operator should see it at a glance.
  const extended = held.original
    ? { extended: true, originalExpiration: held.original.document.Expiration }
    : {};
  return sendJson(res, 200, {
    status: 'ready',
    role: held.role,
    expiresInSeconds,
    pid,
    ...extended,
  });
}
