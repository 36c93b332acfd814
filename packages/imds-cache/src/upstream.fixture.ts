// Shared by the unit tests: fake IMDS documents and a scripted transport at the module boundary.
import { randomBytes } from 'node:crypto';
import type { ImdsCredentials } from '@empdir/shared';
import { ImdsRequestError } from './errors.js';
import type { ImdsRequest, ImdsResponse, ImdsTransport } from './imds-transport.js';

/** A fake key id built at run time, so nothing key-shaped is ever committed. */
export const fakeKeyId = () => `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;

const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

export function imdsDoc(nowMs: number, lifetimeMs = 6 * 3_600_000): ImdsCredentials {
  return {
    Code: 'Success',
    LastUpdated: iso(nowMs),
    Type: 'AWS-HMAC',
    AccessKeyId: fakeKeyId(),
    SecretAccessKey: randomBytes(30).toString('base64'),
    Token: randomBytes(60).toString('base64'),
    Expiration: iso(nowMs + lifetimeMs),
  };
}

export type Reply = ImdsResponse | 'timeout' | 'network';
export type Responder = (request: ImdsRequest) => Reply | Promise<Reply>;

/** A transport that answers from a responder and records every request it was sent. */
export class ScriptedTransport {
  readonly requests: ImdsRequest[] = [];
  responder: Responder;

  constructor(responder: Responder) {
    this.responder = responder;
  }

  readonly send: ImdsTransport = async (request) => {
    this.requests.push(request);
    const reply = await this.responder(request);
    if (reply === 'timeout' || reply === 'network') {
      throw new ImdsRequestError(reply, request.path);
    }
    return reply;
  };

  count(path: string): number {
    return this.requests.filter((request) => request.path === path).length;
  }
}

/** A healthy IMDSv2: tokens, one role, its credentials, an identity document. */
export function healthyImds(
  now: () => number,
  options: { role?: string; doc?: () => ImdsCredentials } = {},
): Responder {
  const role = options.role ?? 'app-role';
  const tokens = new Set<string>();
  let doc = options.doc?.() ?? imdsDoc(now());
  return (request) => {
    if (request.path === '/latest/api/token') {
      const token = randomBytes(16).toString('hex');
      tokens.add(token);
      return { status: 200, body: token };
    }
    if (!tokens.has(request.headers['x-aws-ec2-metadata-token'] ?? '')) {
      return { status: 401, body: '' };
    }
    if (request.path === '/latest/meta-data/iam/security-credentials/') {
      return { status: 200, body: role };
    }
    if (request.path === `/latest/meta-data/iam/security-credentials/${role}`) {
      doc = options.doc?.() ?? doc;
      return { status: 200, body: JSON.stringify(doc) };
    }
    if (request.path === '/latest/dynamic/instance-identity/document') {
      return {
        status: 200,
        body: JSON.stringify({
          instanceId: 'i-0123456789abcdef0',
          region: 'eu-west-1',
          availabilityZone: 'eu-west-1b',
          instanceType: 't3.micro',
          accountId: '123456789012',
          imageId: 'ami-0123456789abcdef0',
        }),
      };
    }
    return { status: 404, body: '' };
  };
}
