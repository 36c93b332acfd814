import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { toContainerCredentials } from '@empdir/shared';
import type { CredentialCache } from './credential-cache.js';
import { methodNotAllowed, notFound, rateLimited } from './errors.js';
import { sendError, sendJson } from './http-response.js';
import type { ImdsFacade } from './imds-facade.js';
import type { InstanceIdentityCache } from './instance-identity.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import { checkAuthorization, checkOrigin } from './request-guard.js';
import type { TokenBucket } from './token-bucket.js';

export interface CredentialServerDeps {
  readonly cache: CredentialCache;
  readonly identity: InstanceIdentityCache;
  /** sha256 of the token written to the token file. */
  readonly tokenDigest: Buffer;
  /** Host header values accepted (known once the listener has its port). */
  readonly hosts: () => ReadonlySet<string>;
  /** Request-rate limit over everything this listener answers; absent when turned off. */
  readonly limiter?: TokenBucket | undefined;
  readonly facade?: ImdsFacade | undefined;
  readonly metrics: Metrics;
  readonly log: Logger;
}

/** The listener local processes call: /v1/credentials, /v1/instance and the optional IMDS facade. */
export function credentialRequestHandler(deps: CredentialServerDeps): RequestListener {
  return (req, res) => {
    const startedAt = performance.now();
    const requestId = randomUUID();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = routeOf(path, deps.facade !== undefined);
    res.setHeader('X-Request-Id', requestId);
    res.once('finish', () => {
      const seconds = (performance.now() - startedAt) / 1000;
      deps.metrics.requestDuration.observe({ route, status: String(res.statusCode) }, seconds);
      const level = res.statusCode === 401 || res.statusCode === 403 ? 'warn' : 'debug';
      deps.log[level]({ requestId, method: req.method, route, status: res.statusCode }, 'request');
    });
    handle(deps, req, res, path, route).catch((error: unknown) =>
      sendError(res, error, requestId, deps.log),
    );
  };
}

async function handle(
  deps: CredentialServerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  route: string,
): Promise<void> {
  if (deps.limiter && !deps.limiter.tryTake()) throw rateLimited();
  checkOrigin(req, deps.hosts());
  if (route === 'facade' && deps.facade) return deps.facade.handle(req, res, path);
  if (route === 'unknown') throw notFound();
  if (req.method !== 'GET') throw methodNotAllowed('GET');
  checkAuthorization(req, deps.tokenDigest);
  if (route === '/v1/credentials') {
    const held = await deps.cache.get();
    const accountId = deps.identity.peek()?.accountId;
    return sendJson(
      res,
      200,
      toContainerCredentials(held.document, accountId ? { accountId } : {}),
    );
  }
  const doc = await deps.identity.get();
  const { instanceId, region, availabilityZone, instanceType, accountId } = doc;
  return sendJson(res, 200, { instanceId, region, availabilityZone, instanceType, accountId });
}

// A fixed set of route labels keeps the metrics' cardinality bounded whatever paths clients send.
function routeOf(path: string, facade: boolean): string {
  if (path === '/v1/credentials' || path === '/v1/instance') return path;
  if (facade && path.startsWith('/latest/')) return 'facade';
  return 'unknown';
}
