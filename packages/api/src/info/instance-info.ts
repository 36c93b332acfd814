import { readFile } from 'node:fs/promises';
import { instanceInfoSchema } from '@empdir/shared';
import type { Logger } from 'pino';

/** What the info page shows about where the service runs. */
export type InstanceInfoView =
  | { kind: 'ec2'; instanceId: string; availabilityZone: string; instanceType: string }
  | { kind: 'lambda'; functionName: string }
  | { kind: 'not-ec2' }
  | { kind: 'unavailable' };

export interface InstanceInfoSource {
  get(): Promise<InstanceInfoView>;
}

export interface InstanceInfoOptions {
  /** The imds-cache daemon's /v1/instance URL; absent when no daemon is configured. */
  readonly url: string | undefined;
  readonly tokenFile: string | undefined;
  readonly token: string | undefined;
  readonly lambdaFunctionName: string | undefined;
  readonly timeoutMs: number;
  readonly now: () => number;
  readonly logger: Logger;
  /** How long a failure is remembered before the daemon is asked again. */
  readonly retryAfterMs?: number;
  readonly fetch?: typeof fetch;
  readonly readToken?: (path: string) => Promise<string>;
}

/**
 * Instance id and zone from the imds-cache daemon (never IMDS itself), with a short timeout.
 * Success is kept for good (an instance never moves); failure is retried after a while.
 */
export function createInstanceInfoSource(options: InstanceInfoOptions): InstanceInfoSource {
  const fetchFn = options.fetch ?? fetch;
  const readToken = options.readToken ?? ((path: string) => readFile(path, 'utf8'));
  const retryAfterMs = options.retryAfterMs ?? 30_000;
  let known: InstanceInfoView | undefined;
  let failedAtMs: number | undefined;
  let pending: Promise<InstanceInfoView> | undefined;

  async function ask(url: string): Promise<InstanceInfoView> {
    try {
      const token = options.tokenFile ? (await readToken(options.tokenFile)).trim() : options.token;
      const response = await fetchFn(url, {
        headers: token ? { authorization: token } : {},
        signal: AbortSignal.timeout(options.timeoutMs),
        redirect: 'error',
      });
      if (!response.ok) throw new Error(`imds-cache daemon answered ${response.status}`);
      const info = instanceInfoSchema.parse(await response.json());
      known = {
        kind: 'ec2',
        instanceId: info.instanceId,
        availabilityZone: info.availabilityZone,
        instanceType: info.instanceType,
      };
      return known;
    } catch (err) {
      failedAtMs = options.now();
      options.logger.warn({ err }, 'instance information unavailable');
      return { kind: 'unavailable' };
    }
  }

  return {
    async get() {
      if (options.lambdaFunctionName) {
        return { kind: 'lambda', functionName: options.lambdaFunctionName };
      }
      if (!options.url) return { kind: 'not-ec2' };
      if (known) return known;
      if (failedAtMs !== undefined && options.now() - failedAtMs < retryAfterMs) {
        return { kind: 'unavailable' };
      }
      // One request to the daemon however many info pages are open meanwhile.
      pending ??= ask(options.url).finally(() => {
        pending = undefined;
      });
      return pending;
    },
  };
}
