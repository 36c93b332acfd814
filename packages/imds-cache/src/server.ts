import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { CredentialCache } from './credential-cache.js';
import { CredentialsBody } from './credentials-body.js';
import { methodNotAllowed, notFound, rateLimited } from './errors.js';
import { sendError, sendJson, sendJsonBody } from './http-response.js';
import type { ImdsFacade } from './imds-facade.js';
import type { InstanceIdentityCache } from './instance-identity.js';
import type { Logger } from './log.js';
import { type Metrics, requestObserver } from './metrics.js';
import { checkAuthorization, checkOrigin } from './request-guard.js';
import { requestIdSource } from './request-id.js';
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

interface HandlerState {
  readonly deps: CredentialServerDeps;
  readonly body: CredentialsBody;
  readonly observe: (route: string, status: number, seconds: number) => void;
}

/**
 * The listener local processes call: /v1/credentials, /v1/instance and the optional IMDS facade.
 * Checks and warm-cache answers run synchronously; only cold lookups and the facade await.
 */
export function credentialRequestHandler(deps: CredentialServerDeps): RequestListener {
  const state: HandlerState = {
    deps,
    body: new CredentialsBody(),
    observe: requestObserver(deps.metrics.requestDuration),
  };
  const nextRequestId = requestIdSource();
  return (req, res) => {
    const startedAt = performance.now();
    const requestId = nextRequestId();
    const path = pathOf(req.url);
    const route = routeOf(path, deps.facade !== undefined);
    let pending: Promise<void> | undefined;
    try {
      pending = respond(state, req, res, path, route, requestId);
    } catch (error) {
      if (!res.headersSent) res.setHeader('X-Request-Id', requestId);
      sendError(res, error, requestId, deps.log);
    }
    if (pending === undefined) {
      record(state, req, res.statusCode, route, requestId, startedAt);
      return;
    }
    res.once('finish', () => record(state, req, res.statusCode, route, requestId, startedAt));
    pending.catch((error: unknown) => sendError(res, error, requestId, deps.log));
  };
}

/** Answers now and returns undefined, or sets the request id header and returns the wait. */
function respond(
  { deps, body }: HandlerState,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  route: string,
  requestId: string,
): Promise<void> | undefined {
  if (deps.limiter && !deps.limiter.tryTake()) throw rateLimited();
  checkOrigin(req, deps.hosts());
  if (route === 'facade' && deps.facade) {
    res.setHeader('X-Request-Id', requestId);
    return deps.facade.handle(req, res, path);
  }
  if (route === 'unknown') throw notFound();
  if (req.method !== 'GET') throw methodNotAllowed('GET');
  checkAuthorization(req, deps.tokenDigest);
  if (route === '/v1/credentials') {
    const warm = deps.cache.getNow();
    if (warm) {
      sendJsonBody(res, 200, body.for(warm.document, deps.identity.peek()?.accountId), requestId);
      return undefined;
    }
    res.setHeader('X-Request-Id', requestId);
    return deps.cache.get().then((held) => {
      const json = body.for(held.document, deps.identity.peek()?.accountId);
      sendJsonBody(res, 200, json, requestId);
    });
  }
  res.setHeader('X-Request-Id', requestId);
  return deps.identity.get().then((doc) => {
    const { instanceId, region, availabilityZone, instanceType, accountId } = doc;
    sendJson(res, 200, { instanceId, region, availabilityZone, instanceType, accountId });
  });
}

function record(
  { deps, observe }: HandlerState,
  req: IncomingMessage,
  status: number,
  route: string,
  requestId: string,
  startedAt: number,
): void {
  observe(route, status, (performance.now() - startedAt) / 1000);
  if (status === 401 || status === 403) {
    deps.log.warn({ requestId, method: req.method, route, status }, 'request');
  } else if (deps.log.isLevelEnabled('debug')) {
    deps.log.debug({ requestId, method: req.method, route, status }, 'request');
  }
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

// A fixed set of route labels keeps the metrics' cardinality bounded whatever paths clients send.
function routeOf(path: string, facade: boolean): string {
  if (path === '/v1/credentials' || path === '/v1/instance') return path;
  if (facade && path.startsWith('/latest/')) return 'facade';
  return 'unknown';
}
