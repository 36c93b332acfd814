import { AssumeRoleCommand, type AssumeRoleCommandOutput, STSClient } from '@aws-sdk/client-sts';
import { type ImdsCredentials, parseImdsCredentials } from '@empdir/shared';
import type { ClientSpec } from './clients-file.js';
import type { Clock } from './clock.js';
import type { CredentialSource } from './credential-cache.js';
import { RoleNotFoundError } from './errors.js';
import { StsRequestError, toStsRequestError } from './sts-request-error.js';

/** STS's limits: session names and source identities are 2-64 of [\w+=,.@-]; chains last ≤ 1 h. */
export const STS_NAME_MAX_CHARS = 64;
export const ROLE_CHAINING_MAX_SECONDS = 3_600;
const NOT_STS_NAME = /[^\w+=,.@-]/g;

export interface AssumeRoleSourceOptions {
  readonly client: ClientSpec;
  /** The instance role's credentials, which sign the AssumeRole call (the daemon's cache). */
  readonly instanceCredentials: () => Promise<ImdsCredentials>;
  readonly instanceId: string;
  /** The instance's region: the regional STS endpoint is used, never the global one. */
  readonly region: string;
  /** IMDS_CACHE_STS_ENDPOINT: overrides the regional endpoint (the stand-in in tests). */
  readonly stsEndpoint?: string | undefined;
  /** The client's user name when known; sent as SourceIdentity (made STS-safe). */
  readonly callerUserName?: string | undefined;
  readonly clock: Clock;
  /** SDK attempts per refresh (the cache backs off between refreshes). Default 2. */
  readonly maxAttempts?: number;
  readonly requestTimeoutMs?: number;
  /** Told the outcome of every AssumeRole call ("ok" or the failure's reason), for metrics. */
  readonly onCall?: (outcome: string) => void;
  /** Aborts an in-flight call on shutdown. */
  readonly signal?: AbortSignal;
}

/** Replaces what STS refuses in a name with "-" and keeps it within 64 characters. */
export function stsSafeName(text: string): string {
  return text.replace(NOT_STS_NAME, '-').slice(0, STS_NAME_MAX_CHARS);
}

/**
 * One client's credentials by role chaining: sts:AssumeRole signed with the instance role's
 * credentials, answered in the IMDS document shape so a CredentialCache can hold them as it holds
 * the instance role's. One STSClient per client spec, reused for every refresh.
 */
export class AssumeRoleSource implements CredentialSource {
  readonly #o: AssumeRoleSourceOptions;
  readonly #sts: STSClient;
  readonly #input: AssumeRoleCommand['input'];

  constructor(options: AssumeRoleSourceOptions) {
    this.#o = options;
    const { client } = options;
    this.#sts = new STSClient({
      region: options.region,
      ...(options.stsEndpoint ? { endpoint: options.stsEndpoint } : {}),
      // The SDK memoizes this until 5 minutes before Expiration, then asks the cache again.
      credentials: async () => {
        const held = await options.instanceCredentials();
        return {
          accessKeyId: held.AccessKeyId,
          secretAccessKey: held.SecretAccessKey,
          sessionToken: held.Token,
          expiration: new Date(held.Expiration),
        };
      },
      maxAttempts: options.maxAttempts ?? 2,
      requestHandler: {
        requestTimeout: options.requestTimeoutMs ?? 3_000,
        connectionTimeout: 1_000,
      },
    });
    const userName = options.callerUserName && stsSafeName(options.callerUserName);
    this.#input = {
      RoleArn: client.roleArn,
      RoleSessionName: stsSafeName(`${options.instanceId}-${client.name}`),
      // Session tags let the role's trust policy tell the clients apart.
      Tags: [{ Key: 'client', Value: client.name }],
      DurationSeconds: Math.min(client.durationSeconds, ROLE_CHAINING_MAX_SECONDS),
      ...(userName && userName.length >= 2 ? { SourceIdentity: userName } : {}),
      ...(client.sessionPolicy ? { Policy: client.sessionPolicy } : {}),
    };
  }

  /** The STSClient, so its middleware stack and config can be inspected. */
  get stsClient(): STSClient {
    return this.#sts;
  }

  /** What AssumeRole is asked for on every refresh (no credentials in it). */
  get request(): Readonly<AssumeRoleCommand['input']> {
    return this.#input;
  }

  /** The client's role name: the cache keys its entry by it. */
  async roleName(): Promise<string> {
    return this.#o.client.roleName;
  }

  async credentials(roleName: string): Promise<ImdsCredentials> {
    const { client, clock, signal } = this.#o;
    if (roleName !== client.roleName) throw new RoleNotFoundError(roleName);
    let output: AssumeRoleCommandOutput;
    try {
      output = await this.#sts.send(
        new AssumeRoleCommand(this.#input),
        signal ? { abortSignal: signal } : {},
      );
    } catch (error) {
      const mapped = toStsRequestError(client.name, error);
      this.#o.onCall?.(mapped instanceof StsRequestError ? mapped.reason : 'aborted');
      throw mapped;
    }
    this.#o.onCall?.('ok');
    const issued = output.Credentials;
    // parseImdsCredentials refuses anything missing, so a partial answer is a failed refresh.
    return parseImdsCredentials({
      Code: 'Success',
      LastUpdated: utcSeconds(clock.now()),
      Type: 'AWS-HMAC',
      AccessKeyId: issued?.AccessKeyId,
      SecretAccessKey: issued?.SecretAccessKey,
      Token: issued?.SessionToken,
      Expiration: issued?.Expiration ? utcSeconds(issued.Expiration.getTime()) : undefined,
    });
  }

  /** Closes the STSClient's sockets. */
  destroy(): void {
    this.#sts.destroy();
  }
}

/** RFC 3339 UTC without milliseconds, as IMDS writes LastUpdated and Expiration. */
function utcSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
