import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InstanceIdentityDocument } from '@empdir/shared';
import { LRUCache } from 'lru-cache';
import type { Clock } from './clock.js';
import type { CredentialCache } from './credential-cache.js';
import { HttpError, instanceRoleNotServed, methodNotAllowed, notFound } from './errors.js';
import { sendJson, sendText } from './http-response.js';
import { IAM_INFO_PATH, type IamInfo } from './iam-info.js';
import { IDENTITY_PATH, ROLE_LIST_PATH, TOKEN_PATH } from './imds-client.js';
import { InstanceIdentityCache } from './instance-identity.js';
import type { Logger } from './log.js';

const MAX_TOKEN_TTL_SECONDS = 21_600;
const TTL_HEADER = 'X-aws-ec2-metadata-token-ttl-seconds';

// Plain-text leaves IMDS serves, each read from the identity document the daemon already holds.
const IDENTITY_LEAVES: Readonly<Record<string, keyof InstanceIdentityDocument>> = {
  '/latest/meta-data/instance-id': 'instanceId',
  '/latest/meta-data/instance-type': 'instanceType',
  '/latest/meta-data/placement/region': 'region',
  '/latest/meta-data/placement/availability-zone': 'availabilityZone',
};

export interface ImdsFacadeOptions {
  readonly cache: CredentialCache;
  /** IMDS_CACHE_SERVE_INSTANCE_ROLE: off, the facade hands out no role (its callers have no token). */
  readonly serveInstanceRole: boolean;
  readonly clock: Clock;
  /** The daemon's identity document cache (shared with /v1/instance). */
  readonly identity: Pick<InstanceIdentityCache, 'get'>;
  /** Reads iam/info from IMDS; called once per role, on the first facade request for it. */
  readonly fetchIamInfo: () => Promise<IamInfo>;
  readonly random?: () => number;
  readonly log?: Logger;
}

/**
 * An IMDSv2-compatible view of the daemon for tools that only speak IMDS: a session token first
 * (PUT, with its TTL header as EC2 sends it), then the role listing, credentials document,
 * iam/info, identity document and placement leaves; only iam/info ever reaches IMDS (once).
 */
export class ImdsFacade {
  readonly #o: ImdsFacadeOptions;
  // Session tokens expire on the injected clock; the bound keeps a PUT flood from growing memory.
  readonly #tokens: LRUCache<string, true>;
  #iamInfo: { readonly role: string; readonly cache: InstanceIdentityCache<IamInfo> } | undefined;

  constructor(options: ImdsFacadeOptions) {
    this.#o = options;
    this.#tokens = new LRUCache<string, true>({
      max: 10_000,
      ttlResolution: 0,
      perf: { now: options.clock.now },
    });
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path === TOKEN_PATH) {
      if (req.method !== 'PUT') throw methodNotAllowed('PUT');
      const { token, ttlSeconds } = this.#issueToken(req);
      // The Go and Rust SDKs read the TTL from the answer and refuse a token without it.
      return sendText(res, 200, token, 'text/plain', { [TTL_HEADER]: String(ttlSeconds) });
    }
    if (req.method !== 'GET') throw methodNotAllowed('GET');
    const token = req.headers['x-aws-ec2-metadata-token'];
    if (typeof token !== 'string' || !this.#tokens.has(token)) {
      throw new HttpError(401, 'unauthorized', 'missing or expired X-aws-ec2-metadata-token');
    }
    const rolePath = path.startsWith(ROLE_LIST_PATH) || path === IAM_INFO_PATH;
    if (rolePath && !this.#o.serveInstanceRole) throw instanceRoleNotServed();
    if (path === ROLE_LIST_PATH) {
      return sendText(res, 200, (await this.#o.cache.get()).role);
    }
    if (path.startsWith(ROLE_LIST_PATH)) {
      const held = await this.#o.cache.get();
      if (path.slice(ROLE_LIST_PATH.length) !== held.role) throw notFound();
      // The upstream document as IMDS served it: Expiration, LastUpdated and extra fields unchanged.
      return sendJson(res, 200, held.document);
    }
    if (path === IAM_INFO_PATH) return sendJson(res, 200, await this.#iamInfoFor());
    if (path === IDENTITY_PATH) return sendJson(res, 200, await this.#o.identity.get());
    const leaf = IDENTITY_LEAVES[path];
    if (leaf !== undefined) {
      return sendText(res, 200, String((await this.#o.identity.get())[leaf]));
    }
    throw notFound();
  }

  /** iam/info for the role held now: fetched again only when the instance profile changed. */
  async #iamInfoFor(): Promise<IamInfo> {
    const { role } = await this.#o.cache.get();
    if (this.#iamInfo?.role !== role) {
      const { clock, random, log, fetchIamInfo } = this.#o;
      const cache = new InstanceIdentityCache<IamInfo>({
        fetch: fetchIamInfo,
        clock,
        what: 'iam/info',
        unavailable: () =>
          new HttpError(503, 'upstream_unavailable', 'iam/info not available yet; retry shortly', {
            'Retry-After': '5',
          }),
        ...(random ? { random } : {}),
        ...(log ? { log } : {}),
      });
      this.#iamInfo = { role, cache };
    }
    return this.#iamInfo.cache.get();
  }

  #issueToken(req: IncomingMessage): { token: string; ttlSeconds: number } {
    const raw = req.headers['x-aws-ec2-metadata-token-ttl-seconds'];
    const ttlSeconds = typeof raw === 'string' && /^\d{1,5}$/.test(raw) ? Number(raw) : 0;
    if (ttlSeconds < 1 || ttlSeconds > MAX_TOKEN_TTL_SECONDS) {
      throw new HttpError(
        400,
        'bad_request',
        `X-aws-ec2-metadata-token-ttl-seconds must be 1-${MAX_TOKEN_TTL_SECONDS}`,
      );
    }
    const token = randomBytes(32).toString('base64url');
    this.#tokens.set(token, true, { ttl: ttlSeconds * 1000 });
    return { token, ttlSeconds };
  }
}
