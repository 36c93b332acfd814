import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LRUCache } from 'lru-cache';
import type { Clock } from './clock.js';
import type { CredentialCache } from './credential-cache.js';
import { HttpError, methodNotAllowed, notFound } from './errors.js';
import { sendJson, sendText } from './http-response.js';
import { ROLE_LIST_PATH, TOKEN_PATH } from './imds-client.js';

const MAX_TOKEN_TTL_SECONDS = 21_600;

export interface ImdsFacadeOptions {
  readonly cache: CredentialCache;
  readonly clock: Clock;
}

/**
 * An IMDSv2-compatible view of the cache for tools that only speak IMDS: a session token first
 * (PUT), then the role listing and credentials document, all answered without calling IMDS.
 */
export class ImdsFacade {
  readonly #cache: CredentialCache;
  // Session tokens expire on the injected clock; the bound keeps a PUT flood from growing memory.
  readonly #tokens: LRUCache<string, true>;

  constructor(options: ImdsFacadeOptions) {
    this.#cache = options.cache;
    this.#tokens = new LRUCache<string, true>({
      max: 10_000,
      ttlResolution: 0,
      perf: { now: options.clock.now },
    });
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path === TOKEN_PATH) {
      if (req.method !== 'PUT') throw methodNotAllowed('PUT');
      return sendText(res, 200, this.#issueToken(req));
    }
    if (req.method !== 'GET') throw methodNotAllowed('GET');
    const token = req.headers['x-aws-ec2-metadata-token'];
    if (typeof token !== 'string' || !this.#tokens.has(token)) {
      throw new HttpError(401, 'unauthorized', 'missing or expired X-aws-ec2-metadata-token');
    }
    if (path === ROLE_LIST_PATH) {
      return sendText(res, 200, (await this.#cache.get()).role);
    }
    if (path.startsWith(ROLE_LIST_PATH)) {
      const held = await this.#cache.get();
      if (path.slice(ROLE_LIST_PATH.length) !== held.role) throw notFound();
      // The upstream document as IMDS served it: Expiration and LastUpdated unchanged.
      return sendJson(res, 200, held.document);
    }
    throw notFound();
  }

  #issueToken(req: IncomingMessage): string {
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
    return token;
  }
}
