import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { AuditLog } from './audit-log.js';
import type { CredentialTarget } from './client-registry.js';
import { type Connection, connectionOf } from './connection-guard.js';
import type { CredentialCache } from './credential-cache.js';
import {
  forbidden,
  instanceRoleNotServed,
  methodNotAllowed,
  notFound,
  overloaded,
} from './errors.js';
import type { GuardMetrics } from './guard-metrics.js';
import { sendError, sendJson, sendJsonBody } from './http-response.js';
import { ROLE_LIST_PATH } from './imds-client.js';
import type { ImdsFacade } from './imds-facade.js';
import type { InstanceIdentityCache } from './instance-identity.js';
import type { Logger } from './log.js';
import { type Metrics, requestObserver } from './metrics.js';
import type { PendingWork } from './pending-work.js';
import {
  type AuthFailureBuckets,
  checkAuthorization,
  checkOrigin,
  type TokenRouter,
} from './request-guard.js';
import { requestIdSource } from './request-id.js';
import type { TokenBucket } from './token-bucket.js';

export interface CredentialServerDeps {
  /** The instance role's cache (the facade's credentials). */
  readonly cache: CredentialCache;
  readonly identity: InstanceIdentityCache;
  /** Whose each token is; undefined until this start has written or reused the token files. */
  readonly tokens: () => TokenRouter<CredentialTarget> | undefined;
  /** Host header values accepted (known once the listener has its port). */
  readonly hosts: () => ReadonlySet<string>;
  /** Request-rate limit over authenticated requests; absent when turned off. */
  readonly limiter?: TokenBucket | undefined;
  readonly authFailures: AuthFailureBuckets;
  readonly facade?: ImdsFacade | undefined;
  /** The uids the facade serves (IMDS_CACHE_FACADE_USERS). */
  readonly facadeUids?: ReadonlySet<number>;
  readonly audit?: AuditLog | undefined;
  /** Bounds the refusal lines (each names its caller). */
  readonly refusalLog: TokenBucket;
  /** Lines waiting on a caller lookup; shutdown lets them finish. */
  readonly pending: PendingWork;
  readonly metrics: Metrics;
  readonly guardMetrics: GuardMetrics;
  readonly log: Logger;
}

interface HandlerState {
  readonly deps: CredentialServerDeps;
  readonly observe: (route: string, status: number, seconds: number) => void;
  readonly nextRequestId: () => string;
}

/**
 * The listener local processes call: /v1/credentials, /v1/instance and the optional IMDS facade.
 * Checks and warm-cache answers run synchronously once the connection's caller is known (looked
 * up once per connection); only a connection's first request, cold lookups and the facade await.
 */
export function credentialRequestHandler(deps: CredentialServerDeps): RequestListener {
  const state: HandlerState = {
    deps,
    observe: requestObserver(deps.metrics.requestDuration),
    nextRequestId: requestIdSource(),
  };
  return (req, res) => {
    const connection = connectionOf(req.socket);
    if (connection?.ready === undefined) return handle(state, req, res, connection);
    void connection.ready.then(() => handle(state, req, res, connection));
  };
}

function handle(
  state: HandlerState,
  req: IncomingMessage,
  res: ServerResponse,
  connection: Connection | undefined,
): void {
  const { deps } = state;
  const startedAt = performance.now();
  const requestId = state.nextRequestId();
  const path = pathOf(req.url);
  const route = routeOf(path, deps.facade !== undefined);
  let pending: Promise<void> | undefined;
  try {
    pending = respond(state, req, res, path, route, requestId, connection);
  } catch (error) {
    if (!res.headersSent) res.setHeader('X-Request-Id', requestId);
    sendError(res, error, requestId, deps.log);
  }
  if (pending === undefined) {
    record(state, req, res.statusCode, route, requestId, startedAt, connection);
    return;
  }
  res.once('finish', () =>
    record(state, req, res.statusCode, route, requestId, startedAt, connection),
  );
  pending.catch((error: unknown) => sendError(res, error, requestId, deps.log));
}

/**
 * Answers now and returns undefined, or sets the request id header and returns the wait. Order:
 * connection caps, Host, the facade's user list or the token, and only then the rate limit, so
 * nobody without the token can spend what authenticated callers need.
 */
function respond(
  { deps }: HandlerState,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  route: string,
  requestId: string,
  connection: Connection | undefined,
): Promise<void> | undefined {
  if (connection?.refused !== undefined) {
    deps.guardMetrics.connectionsRefused.inc({ reason: connection.refused });
    res.setHeader('Connection', 'close');
    throw overloaded(
      connection.refused === 'connections'
        ? 'too many connections; retry shortly'
        : 'too many connections from this user; retry shortly',
    );
  }
  checkOrigin(req, deps.hosts());
  const uid = connection?.caller?.uid;
  if (route === 'facade' && deps.facade) {
    if (uid === undefined || !deps.facadeUids?.has(uid)) {
      throw forbidden(
        `the IMDS facade does not serve uid ${uid ?? 'unknown'} (IMDS_CACHE_FACADE_USERS)`,
      );
    }
    if (deps.limiter && !deps.limiter.tryTake()) throw overloaded();
    res.setHeader('X-Request-Id', requestId);
    return deps.facade.handle(req, res, path).then(() => {
      // Credentials read through the facade are audited like /v1/credentials.
      const held = deps.cache.peek();
      const isCredentials = path.startsWith(ROLE_LIST_PATH) && path.length > ROLE_LIST_PATH.length;
      if (connection && held && isCredentials && res.statusCode === 200) {
        deps.audit?.issued(connection, held.role, held.document.AccessKeyId);
      }
    });
  }
  if (route === 'unknown') throw notFound();
  if (req.method !== 'GET') throw methodNotAllowed('GET');
  const tokens = deps.tokens();
  if (tokens === undefined) throw overloaded('starting; retry shortly');
  const target = checkAuthorization(req, tokens, deps.authFailures, uid);
  if (deps.limiter && !deps.limiter.tryTake()) throw overloaded();
  if (route === '/v1/credentials') {
    const { cache, client, body } = target;
    if (cache === undefined) throw instanceRoleNotServed();
    const accountId = target.accountId ?? deps.identity.peek()?.accountId;
    const warm = cache.getNow();
    if (warm) {
      sendJsonBody(res, 200, body.for(warm.document, accountId), requestId);
      if (connection) deps.audit?.issued(connection, warm.role, warm.document.AccessKeyId, client);
      return undefined;
    }
    res.setHeader('X-Request-Id', requestId);
    return cache.get().then((held) => {
      sendJsonBody(res, 200, body.for(held.document, accountId), requestId);
      if (connection) deps.audit?.issued(connection, held.role, held.document.AccessKeyId, client);
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
  connection: Connection | undefined,
): void {
  observe(route, status, (performance.now() - startedAt) / 1000);
  const refused = status === 401 || status === 403;
  if (refused && deps.refusalLog.tryTake()) {
    const line = { requestId, method: req.method, route, status };
    // Refusals name the caller (its process looked up once per connection); bounded in rate.
    if (!connection) deps.log.warn(line, 'request refused');
    else {
      deps.pending.track(
        connection
          .details()
          .then((caller) => deps.log.warn({ ...line, caller }, 'request refused')),
      );
    }
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
